import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Role } from '@/lib/generated/prisma/enums';

let counter = 0;

/** A person with these roles, as the server would see them signed in. */
export async function createPerson(
  roles: Role[],
  options: { active?: boolean; name?: string | null } = {},
): Promise<Actor & { version: number }> {
  counter += 1;
  const key = `${roles.join('-').toLowerCase() || 'none'}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const user = await getDb().user.create({
    data: {
      name: options.name === undefined ? `Person ${key}` : options.name,
      email: `${key}@example.test`,
      roles,
      active: options.active ?? true,
    },
    select: { id: true, name: true, email: true, roles: true, version: true },
  });
  return user;
}

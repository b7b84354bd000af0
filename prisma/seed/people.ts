import type { Actor } from '@/lib/authz';
import type { Db } from '@/lib/db';
import type { Role } from '@/lib/generated/prisma/enums';

export type SeedPerson = { key: string; name: string; email: string; roles: Role[]; active?: boolean; title: string };

// One demo person per role comes first: the demo sign-in page lists them.
export const PEOPLE: SeedPerson[] = [
  { key: 'sam', name: 'Sam Rivera', email: 'sam.rivera@example.com', roles: ['ADMIN'], title: 'Security lead' },
  { key: 'dana', name: 'Dana Kim', email: 'dana.kim@example.com', roles: ['PAM_APPROVER'], title: 'PAM approver' },
  { key: 'alex', name: 'Alex Chen', email: 'alex.chen@example.com', roles: ['AUDITOR'], title: 'Auditor' },
  { key: 'olivia', name: 'Olivia Brooks', email: 'olivia.brooks@example.com', roles: ['OWNER'], title: 'Agent owner' },
  {
    key: 'omar',
    name: 'Omar Haddad',
    email: 'omar.haddad@example.com',
    roles: ['PAM_APPROVER', 'OWNER'],
    title: 'PAM approver',
  },
  {
    key: 'priya',
    name: 'Priya Natarajan',
    email: 'priya.natarajan@example.com',
    roles: ['ADMIN', 'OWNER'],
    title: 'Platform security lead',
  },
  { key: 'marcus', name: 'Marcus Webb', email: 'marcus.webb@example.com', roles: ['OWNER'], title: 'ML engineering' },
  { key: 'ivan', name: 'Ivan Petrov', email: 'ivan.petrov@example.com', roles: ['OWNER'], title: 'IAM engineering' },
  { key: 'grace', name: 'Grace Liu', email: 'grace.liu@example.com', roles: ['OWNER'], title: 'Platform security' },
  { key: 'tom', name: 'Tom Okafor', email: 'tom.okafor@example.com', roles: ['OWNER'], title: 'PAM operations' },
  { key: 'jordan', name: 'Jordan Blake', email: 'jordan.blake@example.com', roles: ['OWNER'], title: 'DevOps' },
  {
    key: 'lena',
    name: 'Lena Fischer',
    email: 'lena.fischer@example.com',
    roles: ['OWNER'],
    active: false,
    title: 'Former data engineering',
  },
];

/** A seeded person as the domain functions see them signed in. */
export async function seedActor(db: Db, key: string): Promise<Actor> {
  return db.user.findUniqueOrThrow({
    where: { id: `user_${key}` },
    select: { id: true, name: true, email: true, roles: true },
  });
}

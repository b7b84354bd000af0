import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

type ContactRow = {
  agentId: string;
  name: string;
  userId: string | null;
  email: string | null;
  phone: string | null;
  pagerUrl: string | null;
  coverage: string;
  updatedAt: Date;
  userName: string | null;
  userEmail: string | null;
  userActive: boolean | null;
};

/**
 * The agent's escalation contact (with the person, when it names one), or null. One statement: Prisma's relation
 * query would send a second one.
 */
export async function getEscalationContact(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  const [row] = await getDb().$queryRaw<ContactRow[]>`
    SELECT c."agentId", c."name", c."userId", c."email", c."phone", c."pagerUrl", c."coverage", c."updatedAt",
           u."name" AS "userName", u."email" AS "userEmail", u."active" AS "userActive"
    FROM "EscalationContact" c LEFT JOIN "User" u ON u."id" = c."userId"
    WHERE c."agentId" = ${agentId}`;
  if (!row) return null;
  const { userName, userEmail, userActive, ...contact } = row;
  const user =
    contact.userId === null ? null : { id: contact.userId, name: userName!, email: userEmail!, active: userActive! };
  return { ...contact, user };
}

export type EscalationContactView = NonNullable<Awaited<ReturnType<typeof getEscalationContact>>>;

import { Prisma } from '@/lib/generated/prisma/client';

/** SQL: the agent `agentId` has a contact someone can reach (the same test as `reachable`, in the database). */
export function reachableContact(agentId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "EscalationContact" e LEFT JOIN "User" u ON u."id" = e."userId"
    WHERE e."agentId" = ${agentId} AND (e."email" IS NOT NULL OR e."phone" IS NOT NULL OR e."pagerUrl" IS NOT NULL
      OR u."active"))`;
}

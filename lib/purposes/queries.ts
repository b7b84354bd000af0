import 'server-only';
import { cache } from 'react';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Environment, PurposeStatus } from '@/lib/generated/prisma/enums';

export type PurposeRow = Awaited<ReturnType<typeof listAgentPurposes>>[number];

/**
 * An agent's purposes: pending and approved first, then expired. One statement (Prisma's relation query would send
 * a second one for the approvers), read once per request: the purposes and issuance sections share it.
 */
export const listAgentPurposes = cache(async (actor: Actor, agentId: string) => {
  requirePermission(actor, 'agent.read');
  const rows = await getDb().$queryRaw<
    {
      id: string;
      task: string;
      scope: string[];
      environments: Environment[];
      status: PurposeStatus;
      expiresAt: Date | null;
      approvedAt: Date | null;
      version: number;
      approvedByName: string | null;
    }[]
  >`
    SELECT p."id", p."task", p."scope", p."environments"::text[] AS "environments", p."status"::text AS "status",
           p."expiresAt", p."approvedAt", p."version", u."name" AS "approvedByName"
    FROM "Purpose" p LEFT JOIN "User" u ON u."id" = p."approvedById"
    WHERE p."agentId" = ${agentId}
    ORDER BY p."status", p."createdAt"`;
  return rows.map(({ approvedByName, ...p }) => ({
    approvedBy: approvedByName === null ? null : { name: approvedByName }, // before the spread, as in toRow
    ...p,
  }));
});

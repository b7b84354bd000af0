import 'server-only';
import { cache } from 'react';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { prepared } from '@/lib/db/prepared';
import { Prisma } from '@/lib/generated/prisma/client';
import type { AgentKind, AgentStatus, ControlPlane, Environment, RiskTier } from '@/lib/generated/prisma/enums';

export type AgentSummary = NonNullable<Awaited<ReturnType<typeof getAgentSummary>>>;

type Person = { id: string; name: string; active: boolean };
type SummaryRow = {
  id: string;
  slug: string;
  name: string;
  description: string;
  kind: AgentKind;
  workloadIdentity: string | null;
  environments: Environment[];
  riskTier: RiskTier;
  status: AgentStatus;
  reviewCadenceDays: number | null;
  nextReviewDue: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  owner: Person | null;
  controlAssignments: { plane: ControlPlane; assignedAt: string; user: Person }[];
  openReview: { id: string; dueAt: string } | null;
};

/**
 * One agent's header and owners: what its page shows above the sections, and
 * what the page's access check and record lookup need before any streaming.
 * One statement (the layout and the page wait for it before any section starts).
 */
export const getAgentSummary = cache(async (actor: Actor, slug: string) => {
  requirePermission(actor, 'agent.read');
  const person = (id: Prisma.Sql) =>
    Prisma.sql`(SELECT json_build_object('id', u."id", 'name', u."name", 'active', u."active") FROM "User" u
      WHERE u."id" = ${id})`;
  const [agent] = await getDb().$queryRaw<SummaryRow[]>(
    prepared(Prisma.sql`
    SELECT a."id", a."slug", a."name", a."description", a."kind"::text AS "kind", a."workloadIdentity",
      a."environments"::text[] AS "environments", a."riskTier"::text AS "riskTier", a."status"::text AS "status",
      a."reviewCadenceDays", a."nextReviewDue", a."version", a."createdAt", a."updatedAt",
      ${person(Prisma.sql`a."ownerId"`)} AS "owner",
      coalesce((SELECT json_agg(json_build_object('plane', c."plane", 'assignedAt', c."assignedAt",
          'user', ${person(Prisma.sql`c."userId"`)}) ORDER BY c."plane")
        FROM "ControlAssignment" c WHERE c."agentId" = a."id"), '[]') AS "controlAssignments",
      (SELECT json_build_object('id', r."id", 'dueAt', r."dueAt") FROM "Review" r
        WHERE r."agentId" = a."id" AND r."completedAt" IS NULL LIMIT 1) AS "openReview"
    FROM "Agent" a WHERE a."slug" = ${slug}`),
  );
  if (!agent) return null;
  // JSON carries timestamps as text, with their offset.
  const at = (text: string) => new Date(text);
  const controlAssignments = agent.controlAssignments.map((c) => ({ ...c, assignedAt: at(c.assignedAt) }));
  const plane = (p: ControlPlane) => controlAssignments.find((a) => a.plane === p) ?? null;
  return {
    ...agent,
    controlAssignments,
    openReview: agent.openReview ? { id: agent.openReview.id, dueAt: at(agent.openReview.dueAt) } : null,
    planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') },
  };
});

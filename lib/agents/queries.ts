import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { ControlPlane } from '@/lib/generated/prisma/enums';

export type AgentDetail = NonNullable<Awaited<ReturnType<typeof getAgentBySlug>>>;

/** One agent with everything its page shows. */
export async function getAgentBySlug(actor: Actor, slug: string) {
  requirePermission(actor, 'agent.read');
  const person = { select: { id: true, name: true, active: true } } as const;
  const agent = await getDb().agent.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      kind: true,
      workloadIdentity: true,
      environments: true,
      riskTier: true,
      status: true,
      reviewCadenceDays: true,
      nextReviewDue: true,
      version: true,
      createdAt: true,
      updatedAt: true,
      owner: person,
      controlAssignments: { select: { plane: true, assignedAt: true, user: person } },
      purposes: {
        orderBy: [{ status: 'asc' }, { createdAt: 'asc' }],
        select: { id: true, task: true, scope: true, environments: true, status: true, expiresAt: true, approvedAt: true, version: true, approvedBy: { select: { name: true } } },
      },
      credentials: {
        orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { name: 'asc' }],
        select: { id: true, name: true, kind: true, issuance: true, storage: true, environment: true, secretRef: true, privileged: true, boundToWorkloadIdentity: true, lastRotatedAt: true, revokedAt: true },
      },
      exceptions: {
        orderBy: { createdAt: 'desc' },
        take: 50,
        select: { id: true, type: true, status: true, startsAt: true, expiresAt: true, requestedBy: { select: { name: true } } },
      },
      reviews: {
        orderBy: { createdAt: 'desc' },
        take: 20,
        select: { id: true, triggers: true, dueAt: true, completedAt: true, outcome: true, reviewer: { select: { name: true } } },
      },
    },
  });
  if (!agent) return null;
  const plane = (p: ControlPlane) => agent.controlAssignments.find((a) => a.plane === p) ?? null;
  return { ...agent, planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') } };
}

/** Active people, for the owner pickers. */
export async function listActivePeople(actor: Actor): Promise<{ id: string; name: string | null; email: string | null }[]> {
  requirePermission(actor, 'agent.read');
  return getDb().user.findMany({
    where: { active: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, email: true },
    take: 1000,
  });
}

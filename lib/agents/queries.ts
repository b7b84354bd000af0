import 'server-only';
import { cache } from 'react';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { ControlPlane } from '@/lib/generated/prisma/enums';

export type AgentSummary = NonNullable<Awaited<ReturnType<typeof getAgentSummary>>>;

const person = { select: { id: true, name: true, active: true } } as const;

/**
 * One agent's header and owners: what its page shows above the sections, and
 * what the page's access check and record lookup need before any streaming.
 */
export const getAgentSummary = cache(async (actor: Actor, slug: string) => {
  requirePermission(actor, 'agent.read');
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
      reviews: { where: { completedAt: null }, take: 1, select: { id: true, dueAt: true } },
    },
  });
  if (!agent) return null;
  const plane = (p: ControlPlane) => agent.controlAssignments.find((a) => a.plane === p) ?? null;
  const { reviews, ...rest } = agent;
  return {
    ...rest,
    openReview: reviews[0] ?? null,
    planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') },
  };
});

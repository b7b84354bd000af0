import 'server-only';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import type { Tx } from '@/lib/db';
import type { Environment, ReviewTrigger, RiskTier } from '@/lib/generated/prisma/enums';
import { nextScheduledDue } from '@/lib/reviews/cadence';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { getSettings, type Settings } from '@/lib/settings';
import { RISK_TIER, valuesOf } from '@/lib/vocabulary';

/** The fields whose loosening needs a second person, and the review trigger each opens once applied. */
export const GUARDED = {
  riskTier: 'RISK_TIER_CHANGED',
  reviewCadenceDays: 'CADENCE_CHANGED',
  workloadIdentity: 'WORKLOAD_IDENTITY_CHANGED',
  environments: 'ENVIRONMENT_CHANGED',
} as const satisfies Record<string, ReviewTrigger>;
export type GuardedField = keyof typeof GUARDED;

export type GuardedValues = {
  riskTier: RiskTier;
  reviewCadenceDays: number | null;
  workloadIdentity: string | null;
  environments: Environment[];
};

const rank = (tier: RiskTier) => valuesOf(RISK_TIER).indexOf(tier);
const cadence = (v: GuardedValues, settings: Settings) => v.reviewCadenceDays ?? settings.reviewCadenceDays[v.riskTier];

/**
 * The fields of an edit that loosen a control: a lower risk tier, a longer
 * effective review cadence (an override, or removing one below the tier's),
 * a workload identity removed or replaced, production added. Tightening is
 * not listed: it applies at once.
 */
export function looseningFields(before: GuardedValues, after: GuardedValues, settings: Settings): GuardedField[] {
  const fields: GuardedField[] = [];
  if (rank(after.riskTier) < rank(before.riskTier)) fields.push('riskTier');
  if (cadence(after, settings) > cadence(before, settings) && after.reviewCadenceDays !== before.reviewCadenceDays) {
    fields.push('reviewCadenceDays');
  }
  if (before.workloadIdentity !== null && after.workloadIdentity !== before.workloadIdentity) {
    fields.push('workloadIdentity');
  }
  if (after.environments.includes('PROD') && !before.environments.includes('PROD')) fields.push('environments');
  return fields;
}

/**
 * Applies guarded fields to an agent (locked by the caller) with one
 * `agent.updated` event, moves the next review date, and opens or joins the
 * lifecycle review with each field's trigger.
 */
export async function applyGuardedFields(
  tx: Tx,
  actor: AuditActor,
  agentId: string,
  values: Partial<GuardedValues>,
  changeRequestId?: string,
): Promise<string[]> {
  const before = await tx.agent.findUniqueOrThrow({
    where: { id: agentId },
    select: { riskTier: true, reviewCadenceDays: true, workloadIdentity: true, environments: true, status: true },
  });
  const fields = (Object.keys(values) as GuardedField[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(values[k]),
  );
  if (fields.length === 0) return [];
  const after = { ...before, ...values } as GuardedValues & { status: string };
  const settings = await getSettings(tx);
  const nextReviewDue = before.status === 'RETIRED' ? null : nextScheduledDue(after, settings, new Date());
  await tx.agent.update({
    where: { id: agentId },
    data: {
      ...Object.fromEntries(fields.map((k) => [k, values[k]])),
      nextReviewDue,
      version: { increment: 1 },
    },
  });
  await appendAuditEvent(tx, {
    action: 'agent.updated',
    actor,
    agentId,
    details: {
      changes: Object.fromEntries(fields.map((k) => [k, { from: before[k], to: values[k] }])),
      ...(changeRequestId ? { changeRequestId } : {}),
      nextReviewDue: nextReviewDue?.toISOString() ?? null,
    },
  });
  if (before.status !== 'PROPOSED') {
    for (const field of fields) await openOrJoinReview(tx, actor, agentId, GUARDED[field]);
  }
  return fields;
}

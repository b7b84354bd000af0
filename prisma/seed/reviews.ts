// Reviews in every state and one running campaign, made through the review
// domain functions: scheduled reviews opened ahead (overdue ones included),
// some completed with each kind of outcome, triggered ones (a tool change, an
// owner who left, a break-glass from the exceptions seed), and a campaign.
import { SYSTEM_ACTOR } from '@/lib/audit';
import type { Db } from '@/lib/db';
import { changePurpose } from '@/lib/purposes/commands';
import { startCampaign } from '@/lib/reviews/campaigns';
import { completeReview } from '@/lib/reviews/commands';
import { openScheduledReviews } from '@/lib/reviews/scheduler';
import { afterPersonDeparted } from '@/lib/reviews/triggers';
import { seedActor } from './people';

export async function seedReviews(db: Db, now: Date): Promise<void> {
  const sam = await seedActor(db, 'sam');
  const ivan = await seedActor(db, 'ivan');
  const marcus = await seedActor(db, 'marcus');
  const openReview = async (slug: string) =>
    db.review.findFirstOrThrow({ where: { agent: { slug }, completedAt: null } });

  // Scheduled reviews of every agent due within the lead window; those past their date are overdue.
  await openScheduledReviews(now);

  // Completed: certified, scope reduced (one credential revoked), and certified again.
  const certify = async (slug: string, reviewer: typeof ivan, notes: string) => {
    const review = await openReview(slug);
    await completeReview(reviewer, { reviewId: review.id, version: review.version, outcome: 'CERTIFIED', notes });
  };
  await certify('invoice-reconciler', ivan, 'Purpose, tools and owners unchanged; credentials dynamic and vaulted.');
  await certify('backup-verifier', ivan, 'Restores only into the sandbox account; access matches the purpose.');
  const migration = await openReview('code-migration-agent');
  const unused = await db.credential.findFirstOrThrow({
    where: { agent: { slug: 'code-migration-agent' }, revokedAt: null },
    orderBy: { name: 'desc' },
  });
  await completeReview(marcus, {
    reviewId: migration.id,
    version: migration.version,
    outcome: 'SCOPE_REDUCED',
    notes: 'The migration is finished for staging: its second credential is no longer needed.',
    revokeCredentials: [unused.id],
  });

  // Triggered: a tool change on an agent in service, and the owner who left.
  const pricing = await db.purpose.findFirstOrThrow({
    where: { agent: { slug: 'pricing-optimizer' }, status: 'APPROVED' },
  });
  await changePurpose(marcus, {
    purposeId: pricing.id,
    version: pricing.version,
    task: pricing.task,
    scope: [...pricing.scope, 'stripe'].join(', '),
    environments: pricing.environments,
  });
  await db.$transaction((tx) => afterPersonDeparted(tx, SYSTEM_ACTOR, 'user_lena', now));

  // A running campaign over the high-risk production estate, with some progress.
  const deadline = new Date(now.getTime() + 21 * 86_400_000).toISOString().slice(0, 10);
  await startCampaign(sam, {
    name: 'Q4 certification: critical and high in production',
    deadline,
    riskTiers: ['CRITICAL', 'HIGH'],
    statuses: ['ACTIVE'],
    environments: ['PROD'],
  });
  await certify('fraud-screening', ivan, 'Scoring only; card data never leaves the vault. Certified for the campaign.');
}

// Exceptions in every state, made through the exception domain functions
// (each its own transaction with its audit events).
import type { Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import {
  decideException,
  expireDueExceptions,
  requestException,
  revokeException,
  withdrawException,
} from '@/lib/exceptions/commands';
import { seedActor as person } from './people';

async function firstCredential(db: Db, slug: string): Promise<string[]> {
  const credential = await db.credential.findFirst({
    where: { agent: { slug }, revokedAt: null },
    orderBy: { name: 'asc' },
    select: { id: true },
  });
  return credential ? [credential.id] : [];
}

export async function seedExceptions(db: Db): Promise<number> {
  const olivia = await person(db, 'olivia');
  const priya = await person(db, 'priya');
  const dana = await person(db, 'dana');
  const omar = await person(db, 'omar');
  const agentId = async (slug: string) =>
    (await db.agent.findUniqueOrThrow({ where: { slug }, select: { id: true } })).id;
  const decide = (actor: Actor, exceptionId: string, outcome: 'APPROVE' | 'REJECT', reason: string) =>
    decideException(actor, { exceptionId, outcome, reason });

  // Break-glass on a critical agent, one of two approvals in.
  const twoApprover = await requestException(olivia, {
    agentId: await agentId('deploy-bot'),
    credentialIds: await firstCredential(db, 'deploy-bot'),
    type: 'BREAK_GLASS',
    justification: 'Release pipeline stuck; manual rollback needed',
    durationHours: 2,
  });
  await decide(dana, twoApprover.id, 'APPROVE', 'Incident INC-2041 confirmed');

  await requestException(olivia, {
    agentId: await agentId('support-triage'),
    type: 'CACHED_SECRET',
    justification: 'Ticket export runs offline overnight',
    durationHours: 72,
  });

  const active = await requestException(olivia, {
    agentId: await agentId('refund-assistant'),
    type: 'PERSISTENT_TOKEN',
    justification: 'Payment provider cannot issue short-lived tokens until Q1',
    durationHours: 240,
  });
  await decide(dana, active.id, 'APPROVE', 'Vendor limitation documented in RISK-88');

  const rejected = await requestException(olivia, {
    agentId: await agentId('docs-writer'),
    type: 'BROAD_SCOPE',
    justification: 'Wants write access to every repository',
    durationHours: 48,
  });
  await decide(omar, rejected.id, 'REJECT', 'Scope to the docs repositories instead');

  const withdrawn = await requestException(olivia, {
    agentId: await agentId('kb-answerer'),
    type: 'OTHER',
    justification: 'Temporary access to the billing FAQ source',
    durationHours: 24,
  });
  await withdrawException(olivia, { exceptionId: withdrawn.id, reason: 'Content was moved to the public help centre' });

  // Break-glass revoked early, its credential not yet rotated: a post-incident review opens.
  const revoked = await requestException(priya, {
    agentId: await agentId('terraform-planner'),
    credentialIds: await firstCredential(db, 'terraform-planner'),
    type: 'BREAK_GLASS',
    justification: 'State lock stuck after a failed apply',
    durationHours: 3,
  });
  await decide(dana, revoked.id, 'APPROVE', 'Confirmed with on-call');
  await decide(omar, revoked.id, 'APPROVE', 'Second approval');
  await revokeException(dana, { exceptionId: revoked.id, reason: 'Lock released; access no longer needed' });

  // Approved with the shortest window (15 minutes), which the demo compresses to end now so the sweeper expires it
  // (demo data only: the window's end is moved, the expiry itself goes through the sweeper and the audit core).
  const expiring = await requestException(priya, {
    agentId: await agentId('fraud-screening'),
    type: 'OTHER',
    justification: 'Model hot-fix deployment',
    durationHours: 0.25,
  });
  await decide(omar, expiring.id, 'APPROVE', 'Hot-fix approved by the model risk committee');
  await getDb().exception.update({ where: { id: expiring.id }, data: { expiresAt: new Date() } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  await expireDueExceptions();
  return 7;
}

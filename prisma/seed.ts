// `npm run db:seed`: deterministic, idempotent demo data. People in every
// role, forty agents in every state, purposes, credentials and a few hundred
// custody events appended through the audit core, so the chain verifies.
// Later domains extend it through their own functions.
import { appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { credentialRecord } from '@/lib/credentials/record';
import { getDb, type Db, type Tx } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import type { CredentialKind, CredentialStorage, Environment, Issuance, Prisma } from '@/lib/generated/prisma/client';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { AGENTS } from './seed/agents';
import { seedExceptions } from './seed/exceptions';
import { seedFindingHistory } from './seed/findings';
import { PEOPLE } from './seed/people';
import { seededRandom } from './seed/random';
import { seedReviews } from './seed/reviews';

const DAY = 24 * 3600 * 1000;
const TOOLS = ['github', 'jira', 'slack', 'snowflake', 'postgres', 'kubernetes', 'stripe', 'zendesk'];
const PERMISSIONS = ['read', 'write', 'deploy', 'admin', 'load', 'tickets'];
/** A system other than the agent's own. */
const driftTool = (tool: string) => TOOLS[(TOOLS.indexOf(tool) + 1) % TOOLS.length]!;

export async function isSeeded(db: Db): Promise<boolean> {
  return (await db.user.count({ where: { email: PEOPLE[0]?.email } })) > 0;
}

export async function seedDemoData(
  db: Db,
  now = new Date(),
): Promise<{ people: number; agents: number; events: number }> {
  if (await isSeeded(db)) return { people: 0, agents: 0, events: 0 };
  const result = await db.$transaction((tx) => seed(tx, now), { timeout: 120_000, maxWait: 30_000 });
  await seedExceptions(db);
  await seedReviews(db, now);
  await seedFindingHistory(db, now);
  return result;
}

async function seed(tx: Tx, now: Date) {
  const rand = seededRandom(20261122);
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY - hours * 3600 * 1000);

  await tx.user.createMany({
    data: PEOPLE.map((p) => ({
      id: `user_${p.key}`,
      name: p.name,
      email: p.email,
      roles: p.roles,
      active: p.active ?? true,
    })),
  });
  const userId = (key: string) => `user_${key}`;
  const admin = { type: 'USER' as const, id: userId('sam') };
  const broker = { type: 'SYSTEM' as const, id: 'broker:vault' };

  const events: AuditEventInput[] = [];
  // Each person's roles as granted, before the rest of the history: every role held is one an event grants.
  for (const p of PEOPLE) {
    for (const role of p.roles) {
      events.push({
        action: 'role.granted',
        actor: { type: 'SYSTEM', id: 'seed' },
        occurredAt: ago(400),
        details: { userId: userId(p.key), role },
      });
    }
  }
  const agents: Prisma.AgentCreateManyInput[] = [];
  const assignments: Prisma.ControlAssignmentCreateManyInput[] = [];
  const purposes: Prisma.PurposeCreateManyInput[] = [];
  const credentials: Prisma.CredentialCreateManyInput[] = [];
  const escalations: Prisma.EscalationContactCreateManyInput[] = [];

  for (const [index, a] of AGENTS.entries()) {
    const agentId = `agent_${a.slug}`;
    const createdDaysAgo = rand.int(40, 320);
    const createdAt = ago(createdDaysAgo);
    const environments: Environment[] =
      a.kind === 'CODING_AGENT'
        ? ['DEV', 'STAGING']
        : rand.chance(0.7)
          ? ['STAGING', 'PROD']
          : ['DEV', 'STAGING', 'PROD'];
    const cadence = DEFAULT_SETTINGS.reviewCadenceDays[a.riskTier];
    // Every fifth agent is overdue for review; proposed agents have none yet.
    const nextReviewDue =
      a.status === 'PROPOSED' || a.status === 'RETIRED'
        ? null
        : index % 5 === 0
          ? ago(rand.int(3, 40))
          : new Date(now.getTime() + rand.int(5, cadence) * DAY);
    agents.push({
      id: agentId,
      slug: a.slug,
      name: a.name,
      description: a.description,
      kind: a.kind,
      workloadIdentity: a.status === 'PROPOSED' && !a.owner ? null : `spiffe://example.com/agents/${a.slug}`,
      environments,
      riskTier: a.riskTier,
      status: a.status,
      ownerId: a.owner ? userId(a.owner) : null,
      nextReviewDue,
      createdAt,
    });
    const at = (offsetDays: number) => new Date(createdAt.getTime() + offsetDays * DAY + rand.int(0, 8 * 3600) * 1000);
    events.push({
      action: 'agent.created',
      actor: admin,
      agentId,
      occurredAt: createdAt,
      details: {
        slug: a.slug,
        name: a.name,
        riskTier: a.riskTier,
        status: 'PROPOSED',
        kind: a.kind,
        reviewCadenceDays: agents.at(-1)!.reviewCadenceDays ?? null,
        environments,
        workloadIdentity: agents.at(-1)!.workloadIdentity,
        nextReviewDue: nextReviewDue?.toISOString() ?? null,
      },
    });
    if (a.owner) {
      const owner = PEOPLE.find((p) => p.key === a.owner);
      events.push({
        action: 'owner.assigned',
        actor: admin,
        agentId,
        occurredAt: at(0),
        details: { from: null, to: { id: userId(a.owner), name: owner?.name ?? null } },
      });
    }
    for (const plane of ['IAM', 'PAM', 'PLATFORM'] as const) {
      const key = a.planes[plane];
      if (!key) continue;
      assignments.push({
        id: `ca_${a.slug}_${plane}`,
        agentId,
        plane,
        userId: userId(key),
        assignedById: admin.id,
        assignedAt: at(1),
      });
      events.push({
        action: 'control.assigned',
        actor: admin,
        agentId,
        occurredAt: at(1),
        details: { plane, from: null, to: { id: userId(key), name: PEOPLE.find((p) => p.key === key)?.name ?? null } },
      });
    }
    // HIGH and CRITICAL agents with an owner have someone to page; the pricing optimizer shows the finding without.
    if (a.owner && (a.riskTier === 'HIGH' || a.riskTier === 'CRITICAL') && a.slug !== 'pricing-optimizer') {
      const contact = {
        name: `${a.name} on-call`,
        userId: null,
        email: `${a.slug}-oncall@example.com`,
        phone: null,
        pagerUrl: a.riskTier === 'CRITICAL' ? `https://pager.example.com/services/${a.slug}` : null,
        coverage: a.riskTier === 'CRITICAL' ? '24/7' : 'Mon–Fri 08:00–18:00 UTC',
      };
      escalations.push({ agentId, ...contact });
      events.push({
        action: 'escalation.changed',
        actor: admin,
        agentId,
        occurredAt: at(2),
        details: { from: null, to: contact },
      });
    }

    // Purposes: one approved for every agent past proposal, sometimes a pending or expired one.
    const purposeCount = a.status === 'PROPOSED' ? 1 : rand.int(1, 2);
    const firstTool = rand.pick(TOOLS);
    for (let i = 0; i < purposeCount; i++) {
      const id = `purpose_${a.slug}_${i}`;
      const approved = a.status !== 'PROPOSED' && i === 0;
      const expired = !approved && a.status !== 'PROPOSED' && rand.chance(0.4);
      const task = i === 0 ? (a.description.split('.')[0] ?? a.name) : `Extended scope for ${a.name.toLowerCase()}`;
      const scope = [i === 0 ? firstTool : rand.pick(TOOLS)];
      const endedAt = expired ? ago(rand.int(1, 30)) : null;
      purposes.push({
        id,
        agentId,
        task,
        scope,
        environments,
        status: approved ? 'APPROVED' : expired ? 'EXPIRED' : 'PENDING',
        approvedById: approved || expired ? userId('sam') : null,
        approvedAt: approved || expired ? at(2) : null,
        expiresAt: endedAt,
        createdAt: at(1),
      });
      // As the commands record them: what the gate reads, who approved it, and its end.
      events.push({
        action: 'purpose.added',
        actor: { type: 'USER', id: a.owner ? userId(a.owner) : admin.id },
        agentId,
        occurredAt: at(1),
        details: { purposeId: id, task, scope, environments, expiresAt: null },
      });
      if (approved || expired)
        events.push({
          action: 'purpose.approved',
          actor: admin,
          agentId,
          occurredAt: at(2),
          details: { purposeId: id },
        });
      if (endedAt)
        events.push({
          action: 'purpose.expired',
          actor: admin,
          agentId,
          occurredAt: endedAt,
          details: { purposeId: id, reason: 'No longer needed' },
        });
    }

    // Credentials: custody metadata only. Never a value: secretRef is a path.
    const credentialCount = a.status === 'PROPOSED' ? (a.owner ? 1 : 0) : rand.int(1, 4);
    for (let i = 0; i < credentialCount; i++) {
      const environment = rand.pick(environments);
      const issuance: Issuance =
        environment === 'PROD' && rand.chance(0.6) ? 'DYNAMIC' : rand.chance(0.3) ? 'DYNAMIC' : 'STATIC';
      const storage: CredentialStorage =
        issuance === 'DYNAMIC'
          ? 'VAULT_OR_BROKER'
          : rand.pick([
              'VAULT_OR_BROKER',
              'VAULT_OR_BROKER',
              'CI_SECRET',
              'ENV_VAR',
              'CONFIG_FILE',
              'LOCAL_DISK',
              'PROMPT_OR_CONTEXT',
            ] as const);
      const kind: CredentialKind = rand.pick([
        'API_KEY',
        'OAUTH_TOKEN',
        'CLOUD_ROLE',
        'DATABASE_PASSWORD',
        'SSH_KEY',
        'CERTIFICATE',
      ] as const);
      const suffix = i > 0 ? `-${i}` : '';
      const name = `${a.slug}-${kind.toLowerCase().replace(/_/g, '-')}-${environment.toLowerCase()}${suffix}`;
      const shared = (a.slug === 'etl-orders' || a.slug === 'etl-customers') && i === 0;
      const revoked = a.status === 'RETIRED' || (a.status !== 'PROPOSED' && rand.chance(0.08));
      const issuedAt = at(3 + i);
      const lastRotatedAt = issuance === 'STATIC' ? ago(rand.int(5, 200)) : null;
      const id = `cred_${a.slug}_${i}`;
      credentials.push({
        id,
        agentId,
        name,
        kind,
        issuance,
        storage,
        secretRef:
          storage === 'VAULT_OR_BROKER'
            ? shared
              ? 'vault:kv/shared/warehouse-readonly'
              : `vault:kv/${environment.toLowerCase()}/${a.slug}/${kind.toLowerCase()}`
            : storage === 'CI_SECRET'
              ? `ci:${a.slug.toUpperCase().replace(/-/g, '_')}_${kind}`
              : null,
        environment,
        // The system its first purpose names; every tenth credential one no purpose covers (scope drift).
        scope: `${credentials.length % 10 === 9 ? driftTool(firstTool) : firstTool}:${rand.pick(PERMISSIONS)}`,
        maxTtlSeconds:
          issuance === 'DYNAMIC' ? rand.pick([900, 3600, 14_400]) : rand.pick([null, 86_400 * 30, 86_400 * 365]),
        boundToWorkloadIdentity: issuance === 'DYNAMIC' || rand.chance(0.3),
        privileged: rand.chance(0.25) || a.riskTier === 'CRITICAL',
        rotationPeriodDays: issuance === 'STATIC' ? rand.pick([30, 60, 90]) : null,
        lastRotatedAt,
        revokedAt: revoked ? ago(rand.int(1, 30)) : null,
        revokedById: revoked ? userId('sam') : null,
        revokeReason: revoked ? (a.status === 'RETIRED' ? 'Agent retired' : 'No longer needed') : null,
        createdAt: issuedAt,
      });
      events.push({
        action: 'credential.issued',
        actor: admin,
        agentId,
        credentialId: id,
        occurredAt: issuedAt,
        details: { name, kind, record: credentialRecord(credentials.at(-1)!) },
      });
      const uses = a.status === 'ACTIVE' ? rand.int(1, 6) : 0;
      for (let u = 0; u < uses; u++) {
        events.push({
          action: 'credential.used',
          actor: broker,
          agentId,
          credentialId: id,
          occurredAt: ago(rand.int(0, 30), rand.int(0, 23)),
          details: { name, context: rand.pick(['deploy', 'nightly run', 'ticket update', 'query']) },
        });
      }
      if (lastRotatedAt)
        events.push({
          action: 'credential.rotated',
          actor: admin,
          agentId,
          credentialId: id,
          occurredAt: lastRotatedAt,
          details: { name, reason: 'Scheduled rotation' },
        });
      if (revoked)
        events.push({
          action: 'credential.revoked',
          actor: admin,
          agentId,
          credentialId: id,
          occurredAt: ago(rand.int(1, 30)),
          details: { name, reason: a.status === 'RETIRED' ? 'Agent retired' : 'No longer needed' },
        });
    }

    if (a.status !== 'PROPOSED')
      events.push({
        action: 'agent.status_changed',
        actor: admin,
        agentId,
        occurredAt: at(4),
        details: { from: 'PROPOSED', to: 'ACTIVE' },
      });
    if (a.status === 'SUSPENDED' || a.status === 'RETIRED') {
      events.push({
        action: 'agent.status_changed',
        actor: admin,
        agentId,
        occurredAt: ago(rand.int(2, 30)),
        details: { from: 'ACTIVE', to: a.status, reason: a.status === 'RETIRED' ? 'Replaced' : 'Under investigation' },
      });
    }
  }

  for (const p of PEOPLE.filter((p) => p.active === false)) {
    events.push({
      action: 'user.deactivated',
      actor: admin,
      occurredAt: ago(12),
      details: { userId: userId(p.key), reason: 'Left the company' },
    });
  }

  await tx.agent.createMany({ data: agents });
  await tx.controlAssignment.createMany({ data: assignments });
  await tx.purpose.createMany({ data: purposes });
  await tx.credential.createMany({ data: credentials });
  await tx.escalationContact.createMany({ data: escalations });
  // History, oldest first, so seq order follows time.
  events.sort((x, y) => (x.occurredAt?.getTime() ?? 0) - (y.occurredAt?.getTime() ?? 0));
  await appendAuditEvents(tx, events);
  return { people: PEOPLE.length, agents: agents.length, events: events.length };
}

async function main() {
  const started = performance.now();
  const result = await seedDemoData(getDb());
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    result.people === 0
      ? 'Demo data already present: nothing to do.'
      : `Seeded ${result.people} people, ${result.agents} agents and ${result.events} custody events (${seconds} s).`,
  );
}

if (import.meta.filename === process.argv[1]) runScript(main);

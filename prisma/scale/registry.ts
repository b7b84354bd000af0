import type { Client } from 'pg';
import type { PurposeRecord } from '@/lib/audit/registry-actions';
import type { CredentialRecord } from '@/lib/credentials/record';
import { seededRandom } from '../seed/random';
import { copyRows } from './copy';

export type ScalePerson = { id: string; name: string; active: boolean };
export type ScaleAgent = {
  id: string;
  slug: string;
  owner: ScalePerson;
  planes: { IAM: ScalePerson; PAM: ScalePerson; PLATFORM: ScalePerson };
  credentials: { id: string; name: string }[];
  /** For an agent no event records yet: what its history must say (./events.ts writes it first). */
  history?: ScaleHistory;
};

/**
 * An agent's creation, owner, status, credentials and purposes as their events record them (see
 * lib/audit/custody-drift.ts and lib/audit/purpose-drift.ts).
 */
export type ScaleHistory = {
  name: string;
  kind: string;
  reviewCadenceDays: number | null;
  riskTier: string;
  status: string;
  environments: string[];
  workloadIdentity: string | null;
  /** As PostgreSQL prints it in JSON (written in ISO 8601 by ./events.ts). */
  nextReviewDue: string | null;
  credentials: { id: string; name: string; revoked: boolean; record: CredentialRecord }[];
  purposes: ScalePurpose[];
  /** Its open reviews (due dates as PostgreSQL prints them in JSON). */
  reviews: { id: string; triggers: string[]; dueAt: string }[];
};

/** A purpose as its history records it: what the registry check holds it to (its agent is the history's). */
export type ScalePurpose = Omit<PurposeRecord, 'agentId'> & { id: string };

const PEOPLE = 1_000;
const KINDS = ['CODING_AGENT', 'CI_AGENT', 'SUPPORT_AGENT', 'DATA_PIPELINE', 'RESEARCH_AGENT', 'OPS_AGENT', 'OTHER'];
const TIERS = ['LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'CRITICAL'];
const STORAGES = [
  'VAULT_OR_BROKER',
  'VAULT_OR_BROKER',
  'VAULT_OR_BROKER',
  'VAULT_OR_BROKER',
  'CI_SECRET',
  'ENV_VAR',
  'CONFIG_FILE',
  'LOCAL_DISK',
  'PROMPT_OR_CONTEXT',
];
const pad = (n: number) => String(n).padStart(7, '0');

/** The scale dataset's people: a thousand, a few of them gone. Created once. */
export async function ensurePeople(client: Client): Promise<ScalePerson[]> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM "User" WHERE "email" LIKE 'scale-%@example.test'`,
  );
  if (Number(rows[0]!.n) < PEOPLE) {
    const rand = seededRandom(7);
    const now = new Date();
    await client.query(
      `DELETE FROM "User" WHERE "email" LIKE 'scale-%@example.test' AND NOT EXISTS (SELECT 1 FROM "Agent" a WHERE
        a."ownerId" = "User"."id")`,
    );
    await copyRows(
      client,
      'User',
      ['id', 'name', 'email', 'roles', 'active', 'version', 'createdAt', 'updatedAt'],
      (function* () {
        for (let i = 1; i <= PEOPLE; i++)
          yield [
            `scale_user_${i}`,
            `Scale Person ${i}`,
            `scale-${i}@example.test`,
            i <= 20 ? ['ADMIN', 'OWNER'] : i <= 60 ? ['PAM_APPROVER', 'OWNER'] : ['OWNER'],
            !rand.chance(0.02),
            1,
            now,
            now,
          ];
      })(),
    ).catch(async (error: unknown) => {
      if (!String(error).includes('duplicate key')) throw error;
    });
  }
  const people = await client.query<ScalePerson>(
    `SELECT "id", "name", "active" FROM "User" WHERE "email" LIKE 'scale-%@example.test' ORDER BY "id"`,
  );
  return people.rows;
}

/** Skewed choice: a few people own most agents, as in real organisations. */
function skewed(rand: ReturnType<typeof seededRandom>, people: ScalePerson[]): ScalePerson {
  return people[Math.floor(people.length * Math.pow(rand.next(), 3))]!;
}

const SCOPES = ['github:read', 'jira:write', 'github:write', 'read-write'];

/**
 * Agents `from`..`to` with owners, all three planes, purposes, ~3 credentials
 * each, some exceptions and open reviews, loaded with COPY. Returns what the
 * event generator needs about them.
 */
export async function createAgents(
  client: Client,
  people: ScalePerson[],
  from: number,
  to: number,
  now: Date,
): Promise<ScaleAgent[]> {
  const rand = seededRandom(1000 + from);
  const DAY = 86_400_000;
  const agents: (ScaleAgent & { kind: string; tier: string; status: string; envs: string[]; created: Date })[] = [];
  for (let i = from; i <= to; i++) {
    const slug = `scale-agent-${pad(i)}`;
    const owner = skewed(rand, people);
    const status = rand.chance(0.85)
      ? 'ACTIVE'
      : rand.chance(0.5)
        ? 'SUSPENDED'
        : rand.chance(0.5)
          ? 'PROPOSED'
          : 'RETIRED';
    const envs = rand.chance(0.6) ? ['STAGING', 'PROD'] : rand.chance(0.5) ? ['DEV'] : ['DEV', 'STAGING', 'PROD'];
    const credentials = Array.from({ length: rand.int(2, 4) }, (_, c) => ({
      id: `scale_cred_${pad(i)}_${c}`,
      name: `${slug}-key-${c}`,
    }));
    agents.push({
      id: `scale_agent_${pad(i)}`,
      slug,
      owner,
      planes: { IAM: skewed(rand, people), PAM: skewed(rand, people), PLATFORM: skewed(rand, people) },
      credentials,
      kind: rand.pick(KINDS),
      tier: rand.pick(TIERS),
      status,
      envs,
      created: new Date(now.getTime() - rand.int(30, 700) * DAY),
    });
  }
  const nextReview = (a: (typeof agents)[number]) =>
    a.status === 'ACTIVE' || a.status === 'SUSPENDED' ? new Date(now.getTime() + rand.int(-30, 365) * DAY) : null;
  await copyRows(
    client,
    'Agent',
    [
      'id',
      'slug',
      'name',
      'description',
      'kind',
      'workloadIdentity',
      'environments',
      'riskTier',
      'status',
      'ownerId',
      'nextReviewDue',
      'planesAssigned',
      'version',
      'createdAt',
      'updatedAt',
    ],
    (function* () {
      for (const a of agents)
        yield [
          a.id,
          a.slug,
          `Scale agent ${a.slug.slice(12)}`,
          'Synthetic agent for scale tests.',
          a.kind,
          `spiffe://scale.example/agents/${a.slug}`,
          a.envs,
          a.tier,
          a.status,
          a.owner.id,
          nextReview(a),
          3,
          1,
          a.created,
          a.created,
        ];
    })(),
  );
  // Per-row triggers would update each agent three times: "planesAssigned" is set above, "orphaned" once below.
  const triggers = ['ControlAssignment_planes_assigned', 'ControlAssignment_orphaned'];
  for (const t of triggers) await client.query(`ALTER TABLE "ControlAssignment" DISABLE TRIGGER "${t}"`);
  try {
    await copyRows(
      client,
      'ControlAssignment',
      ['id', 'agentId', 'plane', 'userId', 'assignedAt', 'version'],
      (function* () {
        for (const a of agents)
          for (const plane of ['IAM', 'PAM', 'PLATFORM'] as const)
            yield [`${a.id}_${plane}`, a.id, plane, a.planes[plane].id, a.created, 1];
      })(),
    );
  } finally {
    for (const t of triggers) await client.query(`ALTER TABLE "ControlAssignment" ENABLE TRIGGER "${t}"`);
  }
  await client.query(`UPDATE "Agent" SET "orphaned" = "agent_is_orphaned"("id", "ownerId") WHERE "id" = ANY($1)`, [
    agents.map((a) => a.id),
  ]);
  await copyRows(
    client,
    'Purpose',
    [
      'id',
      'agentId',
      'task',
      'scope',
      'environments',
      'status',
      'approvedById',
      'approvedAt',
      'version',
      'createdAt',
      'updatedAt',
    ],
    (function* () {
      for (const a of agents)
        yield [
          `${a.id}_purpose`,
          a.id,
          'Synthetic workload',
          ['github', 'jira'],
          a.envs,
          a.status === 'PROPOSED' ? 'PENDING' : 'APPROVED',
          a.status === 'PROPOSED' ? null : people[0]!.id,
          a.status === 'PROPOSED' ? null : a.created,
          1,
          a.created,
          a.created,
        ];
    })(),
  );
  await copyRows(
    client,
    'Credential',
    [
      'id',
      'agentId',
      'name',
      'kind',
      'issuance',
      'storage',
      'secretRef',
      'environment',
      'scope',
      'maxTtlSeconds',
      'boundToWorkloadIdentity',
      'privileged',
      'rotationPeriodDays',
      'lastRotatedAt',
      'revokedAt',
      'version',
      'createdAt',
      'updatedAt',
    ],
    (function* () {
      for (const a of agents) {
        for (const [n, c] of a.credentials.entries()) {
          const dynamic = rand.chance(0.55);
          const storage = dynamic ? 'VAULT_OR_BROKER' : rand.pick(STORAGES);
          const env = rand.pick(a.envs);
          yield [
            c.id,
            a.id,
            c.name,
            dynamic ? 'OAUTH_TOKEN' : 'API_KEY',
            dynamic ? 'DYNAMIC' : 'STATIC',
            storage,
            storage === 'VAULT_OR_BROKER' ? `vault:kv/${env.toLowerCase()}/${a.slug}/${c.name}` : null,
            env,
            // Within the purpose (github, jira) but for every fourth, which reaches what no purpose names (and
            // without a draw of its own, so the rest of the dataset is what it was).
            SCOPES[n % SCOPES.length],
            dynamic ? 900 : rand.pick([86_400 * 30, 86_400 * 365]),
            dynamic,
            rand.chance(0.2),
            dynamic ? null : 90,
            new Date(now.getTime() - rand.int(1, 200) * DAY),
            a.status === 'RETIRED' || rand.chance(0.05) ? new Date(now.getTime() - rand.int(1, 60) * DAY) : null,
            1,
            a.created,
            a.created,
          ];
        }
      }
    })(),
  );
  await copyRows(
    client,
    'Exception',
    [
      'id',
      'type',
      'agentId',
      'justification',
      'requestedById',
      'status',
      'requiredApprovals',
      'startsAt',
      'expiresAt',
      'endedAt',
      'version',
      'createdAt',
      'updatedAt',
    ],
    (function* () {
      for (const a of agents) {
        if (!rand.chance(0.04)) continue;
        const pending = rand.chance(0.3);
        const start = new Date(now.getTime() - rand.int(0, 3) * DAY);
        const end = new Date(start.getTime() + rand.int(2, 300) * 3_600_000);
        const ended = !pending && end < now;
        yield [
          `${a.id}_exception`,
          rand.pick(['BREAK_GLASS', 'PERSISTENT_TOKEN', 'CACHED_SECRET', 'BROAD_SCOPE']),
          a.id,
          'Synthetic exception',
          a.owner.id,
          pending ? 'PENDING' : ended ? 'EXPIRED' : 'APPROVED',
          1,
          start,
          end,
          ended ? end : null,
          1,
          start,
          start,
        ];
      }
    })(),
  );
  // Someone to page for HIGH and CRITICAL agents, but every tenth (deterministic, so the random draws below are
  // those of a dataset without contacts): those show the escalation-missing finding and a denying issuance gate.
  await copyRows(
    client,
    'EscalationContact',
    ['agentId', 'name', 'email', 'coverage', 'updatedAt'],
    (function* () {
      for (const [n, a] of agents.entries()) {
        if ((a.tier !== 'HIGH' && a.tier !== 'CRITICAL') || (from + n) % 10 === 0) continue;
        yield [a.id, `${a.slug} on-call`, `${a.slug}-oncall@scale.example`, '24/7', a.created];
      }
    })(),
  );
  // What each exception covers: the agent's first credential (the same agents the exceptions above were drawn for).
  await client.query(`INSERT INTO "ExceptionCredential" ("exceptionId", "credentialId")
    SELECT x."id", (SELECT c."id" FROM "Credential" c WHERE c."agentId" = x."agentId" ORDER BY c."id" LIMIT 1)
    FROM "Exception" x WHERE x."id" LIKE '%\\_exception' AND NOT EXISTS
      (SELECT 1 FROM "ExceptionCredential" ec WHERE ec."exceptionId" = x."id")`);
  await copyRows(
    client,
    'Review',
    ['id', 'agentId', 'openForAgent', 'triggers', 'dueAt', 'reviewerId', 'version', 'createdAt', 'updatedAt'],
    (function* () {
      for (const a of agents) {
        if ((a.status !== 'ACTIVE' && a.status !== 'SUSPENDED') || !rand.chance(0.2)) continue;
        yield [
          `${a.id}_review`,
          a.id,
          a.id,
          ['SCHEDULED'],
          new Date(now.getTime() + rand.int(-40, 14) * DAY),
          a.planes.IAM.id,
          1,
          now,
          now,
        ];
      }
    })(),
  );
  return agents;
}

/**
 * Each scale credential's last rotation as Custodian's commands leave it: when its last issue or rotation was recorded
 * (the credentials are copied in first, their events written after). The registry check holds it no later than that.
 */
export async function alignRotations(client: Client): Promise<number> {
  const { rowCount } = await client.query(`
    UPDATE "Credential" c SET "lastRotatedAt" = r."at"
    FROM (SELECT e."credentialId", max(e."recordedAt") AS "at" FROM "AuditEvent" e
      WHERE e."credentialId" LIKE 'scale_cred_%'
        AND (e."action" = 'credential.rotated' OR (e."action" = 'credential.issued' AND e."details" ? 'record'))
      GROUP BY e."credentialId") r
    WHERE c."id" = r."credentialId" AND c."lastRotatedAt" IS DISTINCT FROM r."at"`);
  return rowCount ?? 0;
}

/**
 * Every scale agent with what the event generator needs, for extending an existing dataset; with its history for one
 * no event records yet.
 */
export async function loadAgents(client: Client): Promise<ScaleAgent[]> {
  const { rows } = await client.query<ScaleAgent & { history: ScaleHistory | null }>(`
    SELECT a."id", a."slug",
      json_build_object('id', o."id", 'name', o."name", 'active', o."active") AS "owner",
      (SELECT json_object_agg(ca."plane", json_build_object('id', u."id", 'name', u."name", 'active', u."active"))
        FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId" WHERE ca."agentId" = a."id") AS "planes",
      (SELECT json_agg(json_build_object('id', c."id", 'name', c."name")) FROM "Credential" c WHERE c."agentId" =
        a."id") AS "credentials",
      CASE WHEN NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."agentId" = a."id" AND e."action" = 'agent.created')
      THEN json_build_object('name', a."name", 'kind', a."kind", 'reviewCadenceDays', a."reviewCadenceDays",
        'riskTier', a."riskTier", 'status', a."status",
        'environments', a."environments", 'workloadIdentity', a."workloadIdentity",
        'nextReviewDue', a."nextReviewDue",
        'credentials', (SELECT coalesce(json_agg(json_build_object('id', c."id", 'name', c."name",
          'revoked', c."revokedAt" IS NOT NULL, 'record', json_build_object('kind', c."kind",
          'issuance', c."issuance", 'storage', c."storage", 'environment', c."environment",
          'secretRef', c."secretRef", 'scope', c."scope", 'maxTtlSeconds', c."maxTtlSeconds",
          'rotationPeriodDays', c."rotationPeriodDays", 'rotationApprovedDays', c."rotationApprovedDays",
          'boundToWorkloadIdentity', c."boundToWorkloadIdentity", 'privileged', c."privileged",
          'gated', c."gated")) ORDER BY c."id"), '[]') FROM "Credential" c WHERE c."agentId" = a."id"),
        'purposes', (SELECT coalesce(json_agg(json_build_object('id', p."id", 'task', p."task", 'scope', p."scope",
          'environments', p."environments", 'status', p."status", 'approvedById', p."approvedById",
          'expiresAt', p."expiresAt") ORDER BY p."id"), '[]') FROM "Purpose" p WHERE p."agentId" = a."id"),
        'reviews', (SELECT coalesce(json_agg(json_build_object('id', r."id", 'triggers', r."triggers",
          'dueAt', r."dueAt") ORDER BY r."id"), '[]') FROM "Review" r
          WHERE r."agentId" = a."id" AND r."completedAt" IS NULL))
      END AS "history"
    FROM "Agent" a JOIN "User" o ON o."id" = a."ownerId" WHERE a."slug" LIKE 'scale-agent-%' ORDER BY a."slug"`);
  return rows.map(({ history, ...r }) => ({ ...r, credentials: r.credentials ?? [], ...(history ? { history } : {}) }));
}

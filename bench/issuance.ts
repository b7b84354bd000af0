// The issuance gate on the scale dataset: the decision's query beside a hand-written floor for the same answer,
// and POST /api/v1/decisions at fixed rates across ten tokens, every decision recorded.
import autocannon from 'autocannon';
import type { Pool } from 'pg';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { conclude } from '@/lib/issuance/decide';
import { readDecisionFacts } from '@/lib/issuance/facts';
import type { DecisionInput } from '@/lib/issuance/schema';
import { createToken } from '@/lib/tokens/commands';
import type { QueryCase } from './queries';

/** An ask the gate allows on this dataset: an active agent's recorded credential, within its purpose. */
export async function allowedAsk(): Promise<DecisionInput> {
  const db = getDb();
  const candidates = await db.credential.findMany({
    where: {
      revokedAt: null,
      issuance: 'DYNAMIC',
      scope: 'github:read',
      agent: { status: 'ACTIVE', riskTier: { in: ['MEDIUM', 'HIGH'] }, workloadIdentity: { not: null } },
    },
    orderBy: { id: 'asc' },
    take: 200,
    select: { name: true, environment: true, agent: { select: { id: true, workloadIdentity: true } } },
  });
  for (const c of candidates) {
    const ask = { credential: { name: c.name }, task: 'github', environment: c.environment, ttlSeconds: 600 };
    const facts = await readDecisionFacts(db, { agentId: c.agent.id }, ask);
    if (conclude(facts).decision === 'allow') return { ...ask, workloadIdentity: c.agent.workloadIdentity! };
  }
  throw new Error('No credential on this dataset that the gate allows: seed it with npm run db:seed:scale.');
}

/** The decision (facts read as the gate reads them, then the rules), and by hand in one statement. */
export function decisionCase(pg: Pool, ask: DecisionInput): QueryCase {
  const { workloadIdentity, ...rest } = ask;
  const name = 'name' in ask.credential ? ask.credential.name : '';
  return {
    name: 'issuance decision',
    domain: async () => conclude(await readDecisionFacts(getDb(), { workloadIdentity }, rest)),
    floor: () =>
      pg.query(
        `WITH a AS (SELECT * FROM "Agent" WHERE "workloadIdentity" = $1),
         c AS (SELECT c.* FROM "Credential" c JOIN a ON c."agentId" = a."id" WHERE c."name" = $2)
         SELECT a."status", a."riskTier", a."openReviewDueAt", a."nextReviewDue",
           (SELECT o."active" FROM "User" o WHERE o."id" = a."ownerId") AS owner,
           (SELECT count(*) FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId"
             WHERE ca."agentId" = a."id" AND u."active") AS planes,
           EXISTS (SELECT 1 FROM "EscalationContact" e LEFT JOIN "User" u ON u."id" = e."userId"
             WHERE e."agentId" = a."id" AND (e."email" IS NOT NULL OR e."phone" IS NOT NULL
               OR e."pagerUrl" IS NOT NULL OR u."active")) AS paged,
           (SELECT row(c."issuance", c."environment", c."scope", c."maxTtlSeconds", c."privileged", c."revokedAt")
             FROM c) AS credential,
           EXISTS (SELECT 1 FROM "Purpose" p WHERE p."agentId" = a."id" AND p."status" = 'APPROVED'
             AND (p."expiresAt" IS NULL OR p."expiresAt" > now()) AND $3::"Environment" = ANY(p."environments")
             AND $4 = ANY(p."scope")) AS covered,
           (SELECT e."expiresAt" FROM "Exception" e JOIN "ExceptionCredential" ec ON ec."exceptionId" = e."id"
             JOIN c ON c."id" = ec."credentialId" WHERE e."agentId" = a."id" AND e."status" = 'APPROVED'
             AND e."expiresAt" > now() LIMIT 1) AS exception,
           EXISTS (SELECT 1 FROM "Credential" x WHERE x."agentId" = a."id"
               AND x."usedAfterRevocationAt" > now() - interval '90 days')
             OR EXISTS (SELECT 1 FROM "Exception" e WHERE e."agentId" = a."id" AND e."status" = 'APPROVED'
               AND e."expiresAt" < now() - interval '2 minutes')
             OR EXISTS (SELECT 1 FROM "CredentialMisuse" m WHERE m."agentId" = a."id"
               AND m."kind" = 'replay-suspected' AND m."at" > now() - interval '90 days') AS critical,
           (SELECT s."value" FROM "Setting" s WHERE s."key" = 'issuanceMaxTtlSeconds') AS policy
         FROM a`,
        [workloadIdentity, name, ask.environment, ask.task],
      ),
  };
}

export type RateRow = { rate: number; p50: number; p90: number; p99: number; errors: number; non2xx: number };

/** POST /api/v1/decisions at each rate for `seconds`, spread over ten decisions:check tokens. */
export async function decisionRates(
  url: string,
  admin: Actor,
  ask: DecisionInput,
  rates = [50, 100, 200],
  seconds = 10,
): Promise<RateRow[]> {
  const tokens = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      createToken(admin, { name: `bench-gate-${Date.now()}-${i}`, scopes: ['decisions:check'], expiresInDays: 1 }),
    ),
  );
  const requests = tokens.map(({ token }) => ({
    method: 'POST' as const,
    path: '/api/v1/decisions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(ask),
  }));
  const rows: RateRow[] = [];
  for (const rate of rates) {
    const result = await autocannon({
      url,
      requests,
      overallRate: rate,
      duration: seconds,
      connections: Math.max(10, Math.ceil(rate / 10)),
    });
    rows.push({
      rate,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
    });
    process.stdout.write('.');
  }
  return rows;
}

// The issuance gate on the scale dataset: the decision's query beside a hand-written floor for the same answer,
// and POST /api/v1/decisions at fixed rates across ten tokens, every decision recorded.
import autocannon from 'autocannon';
import type { Pool } from 'pg';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { conclude } from '@/lib/issuance/decide';
import { readDecisionFacts } from '@/lib/issuance/facts';
import type { DecisionInput } from '@/lib/issuance/schema';
import { getSettings, type Settings } from '@/lib/settings';
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
    const facts = await readDecisionFacts({ agentId: c.agent.id }, ask);
    if (conclude(facts).decision === 'allow') return { ...ask, workloadIdentity: c.agent.workloadIdentity! };
  }
  throw new Error('No credential on this dataset that the gate allows: seed it with npm run db:seed:scale.');
}

/** The decision (facts read as the gate reads them, then the rules), and by hand in one statement. */
export function decisionCase(pg: Pool, ask: DecisionInput): QueryCase {
  const { workloadIdentity, ...rest } = ask;
  const name = 'name' in ask.credential ? ask.credential.name : '';
  // On the API path the policy comes with the token, in authentication's one statement: the decision's own query
  // is the facts statement.
  let policy: Settings | undefined;
  const domain = async () => {
    policy ??= await getSettings(getDb());
    return conclude(await readDecisionFacts({ workloadIdentity }, rest, policy));
  };
  return {
    name: 'issuance decision',
    domain,
    runs: 300,
    // The facts statement is prepared: a running server has long since prepared it on every pool connection and
    // PostgreSQL has settled on its cached plan (after five planned executions). Ten at a time reach every one.
    warm: async () => {
      for (let round = 0; round < 8; round++) await Promise.all(Array.from({ length: 10 }, domain));
    },
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

export type RateRow = {
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
};

/**
 * POST /api/v1/decisions at each rate for `seconds`, spread over ten decisions:check tokens. Arrivals are paced
 * evenly: autocannon's own rate limit sends each second's quota back to back (a burst, so the figures would measure
 * queueing behind the burst), so each rate runs as that many one-connection autocannon clients at one request a
 * second, started 1/rate of a second apart. Every response's latency is kept.
 */
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
  const request = (token: string) => ({
    method: 'POST' as const,
    path: '/api/v1/decisions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(ask),
  });
  // Warm: every instance behind a balancer answers a few before anything is timed.
  for (let i = 0; i < 30; i++) {
    const { method, headers, body } = request(tokens[i % tokens.length]!.token);
    await (await fetch(`${url}/api/v1/decisions`, { method, headers, body })).arrayBuffer();
  }
  const rows: RateRow[] = [];
  for (const rate of rates) {
    const latencies: number[] = [];
    let errors = 0;
    let non2xx = 0;
    await Promise.all(
      Array.from({ length: rate }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 1000) / rate));
        await new Promise<void>((resolve, reject) => {
          const instance = autocannon(
            {
              url,
              requests: [request(tokens[i % tokens.length]!.token)],
              connections: 1,
              overallRate: 1,
              duration: seconds,
              // Latency as each request saw it: the pacing is ours, so no correction for omitted requests.
              ignoreCoordinatedOmission: true,
            },
            (error) => (error ? reject(error) : resolve()),
          );
          instance.on('response', (_client, statusCode, _bytes, responseTime) => {
            latencies.push(responseTime);
            if (statusCode < 200 || statusCode >= 300) non2xx += 1;
          });
          instance.on('reqError', () => (errors += 1));
        });
      }),
    );
    latencies.sort((a, b) => a - b);
    const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
    rows.push({ rate, p50: at(0.5), p90: at(0.9), p99: at(0.99), errors, non2xx, requests: latencies.length });
    process.stdout.write('.');
  }
  return rows;
}

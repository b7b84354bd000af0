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
import { paced, ROW_SECONDS, type PacedRequest, type PacedResult } from './paced';
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
             AND e."type" IN ('BREAK_GLASS', 'PERSISTENT_TOKEN') AND e."expiresAt" > now() LIMIT 1) AS exception,
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

export type RateRow = PacedResult & { rate: number };

/**
 * POST /api/v1/decisions at each rate for `seconds` (./paced.ts's ROW_SECONDS), over ten decisions:check tokens (ten
 * brokers, each with its own keep-alive connections), arrivals evenly spaced (./paced.ts); every decision recorded.
 * First 5 s at 50 a second, untimed: every instance has compiled the route and prepared its statements, as a server
 * in service has. Then the gate's capacity: ten autocannon connections, one per token, as fast as the answers come.
 */
export async function decisionRates(
  url: string,
  admin: Actor,
  ask: DecisionInput,
  rates = [50, 100, 200],
  seconds = ROW_SECONDS,
): Promise<{ rows: RateRow[]; capacity: number }> {
  const tokens = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      createToken(admin, { name: `bench-gate-${Date.now()}-${i}`, scopes: ['decisions:check'], expiresInDays: 1 }),
    ),
  );
  const requests: PacedRequest[] = tokens.map(({ token }) => ({
    method: 'POST',
    path: '/api/v1/decisions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(ask),
  }));
  const clients = tokens.length;
  await paced(url, requests, { rate: 50, seconds: 5, clients });
  const rows: RateRow[] = [];
  for (const rate of rates) {
    rows.push({ rate, ...(await paced(url, requests, { rate, seconds, clients })) });
    process.stdout.write('.');
  }
  const flatOut = await Promise.all(
    requests.map(
      (r) =>
        new Promise<number>((resolve, reject) =>
          autocannon({ url: url + r.path, ...r, connections: 1, duration: 5 }, (error, result) =>
            error ? reject(error) : resolve(result['2xx'] / result.duration),
          ),
        ),
    ),
  );
  return { rows, capacity: Math.round(flatOut.reduce((a, b) => a + b, 0)) };
}

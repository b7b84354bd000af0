import 'server-only';
import { ownersJson, type OwnersSnapshot } from '@/lib/audit/owners';
import { getDb } from '@/lib/db';
import { hotRows } from '@/lib/db/hot-path';
import { reachableContact } from '@/lib/escalation/sql';
import { Prisma } from '@/lib/generated/prisma/client';
import { unionOf } from '@/lib/policy/evaluate';
import { RULES } from '@/lib/policy/rules';
import { getSettings, type Settings } from '@/lib/settings';
import type { ChainFacts, GrantFacts, HopFacts } from './chain';
import type { AgentFacts, CredentialFacts, DecisionFacts, ExceptionFacts, PurposeFacts } from './rules';
import type { DecisionAsk } from './schema';

/**
 * The deviations that let a static credential be issued to a HIGH or CRITICAL agent: an emergency (a break-glass,
 * with its approvers, window and review after) or a long-lived token approved as such. An exception for a broad
 * scope, a cached secret or another deviation names the credential for that deviation only.
 */
export const STATIC_CREDENTIAL_EXCEPTIONS = ['BREAK_GLASS', 'PERSISTENT_TOKEN'];

const CRITICAL_RULES = RULES.filter((r) => r.severity === 'CRITICAL');

type Row = {
  agent: AgentRow | null;
  credential: CredentialFacts | null;
  purposes: PurposeFacts[] | null;
  exception: (Omit<ExceptionFacts, 'expiresAt'> & { expiresAt: string }) | null;
  criticalFindings: { ruleId: string; detail: string }[] | null;
  owners: OwnersSnapshot | null;
};

/** An agent's facts as the gate's agent rules read them, from an agent row aliased `a` (JSON, dates as strings). */
export const agentFactsJson = Prisma.sql`json_build_object('id', a."id", 'slug', a."slug",
  'workloadIdentity', a."workloadIdentity", 'ownerId', a."ownerId", 'status', a."status", 'riskTier', a."riskTier",
  'ownerActive', (SELECT o."active" FROM "User" o WHERE o."id" = a."ownerId"),
  'planesHeld', (SELECT coalesce(json_agg(ca."plane"), '[]') FROM "ControlAssignment" ca
    JOIN "User" u ON u."id" = ca."userId" WHERE ca."agentId" = a."id" AND u."active"),
  'escalationReachable', ${reachableContact(Prisma.sql`a."id"`)},
  'openReviewDueAt', a."openReviewDueAt", 'nextReviewDue', a."nextReviewDue")`;

/** The approved purposes in effect, over purposes aliased `p`. */
export const purposesJson = Prisma.sql`json_agg(json_build_object('id', p."id", 'task', p."task",
  'scope', p."scope", 'environments', p."environments"))`;
export const purposeInEffect = (now: Date) =>
  Prisma.sql`p."status" = 'APPROVED' AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now})`;

export type AgentRow = Omit<AgentFacts, 'openReviewDueAt' | 'nextReviewDue'> & {
  openReviewDueAt: string | null;
  nextReviewDue: string | null;
};

/** An agent's facts as read (dates as strings), as the rules take them. */
export function agentFactsOf(row: AgentRow | null): AgentFacts | null {
  return row
    ? {
        ...row,
        openReviewDueAt: row.openReviewDueAt ? new Date(row.openReviewDueAt) : null,
        nextReviewDue: row.nextReviewDue ? new Date(row.nextReviewDue) : null,
      }
    : null;
}

/** Who asks: the workload identity presented to a broker, or (the console) the agent itself. */
export type Subject = { workloadIdentity: string } | { agentId: string };

/**
 * Everything the gate's rules read, in one statement: agent, owners, planes,
 * contact, the credential asked for, purposes in effect, an exception in force
 * naming the credential, and the CRITICAL findings of that one agent evaluated
 * live by the policy rules themselves. The rules decide on the registry as it
 * is now, not on the periodic findings sync.
 */
export async function readDecisionFacts(
  subject: Subject,
  input: DecisionAsk,
  /** The policy, when the request already read it (an API token's authentication reads it). */
  policy?: Settings,
): Promise<DecisionFacts> {
  const now = new Date();
  const asked = input.credential;
  const credentialMatch =
    'id' in asked
      ? Prisma.sql`c."id" = ${asked.id}`
      : 'name' in asked
        ? Prisma.sql`c."name" = ${asked.name}`
        : Prisma.sql`FALSE`;
  const agentMatch =
    'agentId' in subject
      ? Prisma.sql`a."id" = ${subject.agentId}`
      : Prisma.sql`a."workloadIdentity" = ${subject.workloadIdentity}`;
  // One statement for everything (after the policy, unless the request read it already): the CRITICAL findings'
  // rules are filtered to the agent the statement finds. A hot statement (lib/db/hot-path.ts).
  const settings = policy ?? (await getSettings(getDb()));
  const critical = await unionOf(getDb(), CRITICAL_RULES, now, Prisma.sql`(SELECT "id" FROM a)`, settings);
  const chainRefs = input.onBehalfOf ?? [];
  const [[row], chain] = await Promise.all([
    hotRows<Row>(Prisma.sql`
      WITH a AS (SELECT * FROM "Agent" a WHERE ${agentMatch}),
      c AS (SELECT c.* FROM "Credential" c JOIN a ON c."agentId" = a."id" WHERE ${credentialMatch})
      SELECT
        (SELECT ${agentFactsJson} FROM a) AS "agent",
        (SELECT ${ownersJson(Prisma.raw('a'))} FROM a) AS "owners",
        (SELECT json_build_object('id', c."id", 'name', c."name", 'kind', c."kind", 'issuance', c."issuance",
          'environment', c."environment", 'scope', c."scope", 'maxTtlSeconds', c."maxTtlSeconds",
          'privileged', c."privileged",
          'revoked', c."revokedAt" IS NOT NULL) FROM c) AS "credential",
        (SELECT ${purposesJson} FROM "Purpose" p JOIN a ON p."agentId" = a."id" WHERE ${purposeInEffect(now)})
          AS "purposes",
        (SELECT json_build_object('id', e."id", 'type', e."type", 'expiresAt', e."expiresAt")
          FROM "Exception" e JOIN a ON e."agentId" = a."id"
          JOIN "ExceptionCredential" ec ON ec."exceptionId" = e."id" JOIN c ON c."id" = ec."credentialId"
          WHERE e."type"::text = ANY(${STATIC_CREDENTIAL_EXCEPTIONS}::text[])
            AND e."status" = 'APPROVED' AND e."startsAt" <= ${now}
            AND e."expiresAt" >= ${new Date(now.getTime() + 1000)}
            AND e."endedAt" IS NULL AND e."revokedAt" IS NULL
          ORDER BY e."expiresAt" DESC LIMIT 1) AS "exception",
        (SELECT json_agg(json_build_object('ruleId', f."ruleId", 'detail', f."detail"))
          FROM (${critical ?? Prisma.sql`SELECT NULL::text AS "ruleId", NULL::text AS "detail" WHERE FALSE`}) f)
          AS "criticalFindings"`),
    chainRefs.length > 0 ? readChainFacts(agentMatch, chainRefs, now, settings) : null,
  ]);
  const agent = agentFactsOf(row?.agent ?? null);
  return {
    now,
    input,
    workloadIdentity: 'workloadIdentity' in subject ? subject.workloadIdentity : null,
    agent,
    credential: row?.credential ?? null,
    purposes: row?.purposes ?? [],
    exception: row?.exception ? { ...row.exception, expiresAt: new Date(row.exception.expiresAt) } : null,
    criticalFindings: row?.criticalFindings ?? [],
    owners: row?.owners ?? null,
    tierMaxTtlSeconds: agent ? settings.issuanceMaxTtlSeconds[agent.riskTier] : 0,
    classMaxTtlSeconds: settings.credentialMaxTtlSeconds,
    chain,
  };
}

type HopRow = Omit<HopFacts, 'agent' | 'grants' | 'tierMaxTtlSeconds'> & {
  agent: AgentRow | null;
  grants: (Omit<GrantFacts, 'expiresAt' | 'endedAt'> & { expiresAt: string | null; endedAt: string | null })[] | null;
  purposes: PurposeFacts[] | null;
  criticalFindings: { ruleId: string; detail: string }[] | null;
};

/**
 * The agents a chained ask acts for, in one statement: each name resolved (by workload identity or slug, which never
 * collide: an identity is a URI, a slug has no colon), its agent facts, purposes in effect and CRITICAL findings,
 * and the grants from the agent before it (the asking agent, `agentMatch` over `a`, for the first).
 */
async function readChainFacts(
  agentMatch: Prisma.Sql,
  refs: string[],
  now: Date,
  settings: Settings,
): Promise<ChainFacts> {
  const critical = await unionOf(
    getDb(),
    CRITICAL_RULES,
    now,
    Prisma.sql`ANY(ARRAY(SELECT "agentId" FROM hops WHERE "agentId" IS NOT NULL))`,
    settings,
  );
  const rows = await hotRows<HopRow>(Prisma.sql`
    WITH asker AS (SELECT a."id" FROM "Agent" a WHERE ${agentMatch}),
    named AS (SELECT r.ref, r.hop::int AS hop FROM unnest(${refs}::text[]) WITH ORDINALITY AS r(ref, hop)),
    matched AS (
      SELECT n.hop, m."id" FROM named n CROSS JOIN LATERAL (
        SELECT x."id" FROM "Agent" x WHERE x."workloadIdentity" = n.ref
        UNION SELECT x."id" FROM "Agent" x WHERE x."slug" = n.ref) m),
    hops AS (SELECT n.hop, n.ref, m."id" AS "agentId" FROM named n LEFT JOIN matched m ON m.hop = n.hop),
    crit AS (${critical!})
    SELECT h.hop, h.ref,
      (SELECT ${agentFactsJson} FROM "Agent" a WHERE a."id" = h."agentId") AS "agent",
      (SELECT ${purposesJson} FROM "Purpose" p WHERE p."agentId" = h."agentId" AND ${purposeInEffect(now)})
        AS "purposes",
      (SELECT json_agg(json_build_object('ruleId', f."ruleId", 'detail', f."detail")) FROM crit f
        WHERE f."agentId" = h."agentId") AS "criticalFindings",
      (SELECT json_agg(json_build_object('id', g."id", 'tasks', g."tasks", 'environments', g."environments",
          'status', g."status", 'expiresAt', g."expiresAt", 'endedAt', g."endedAt")
          ORDER BY coalesce(g."endedAt", g."expiresAt") DESC, g."id")
        FROM "DelegationGrant" g
        WHERE g."principalId" = h."agentId" AND g."approvedAt" IS NOT NULL
          AND g."delegateId" = CASE WHEN h.hop = 1 THEN (SELECT "id" FROM asker)
            ELSE (SELECT b."agentId" FROM hops b WHERE b.hop = h.hop - 1) END) AS "grants"
    FROM hops h ORDER BY h.hop`);
  return {
    maxHops: settings.delegation.maxHops,
    hops: rows.map((r) => {
      const agent = agentFactsOf(r.agent);
      return {
        ...r,
        agent,
        purposes: r.purposes ?? [],
        criticalFindings: r.criticalFindings ?? [],
        grants: (r.grants ?? []).map((g) => ({
          ...g,
          expiresAt: g.expiresAt ? new Date(g.expiresAt) : null,
          endedAt: g.endedAt ? new Date(g.endedAt) : null,
        })),
        tierMaxTtlSeconds: agent ? settings.issuanceMaxTtlSeconds[agent.riskTier] : 0,
      };
    }),
  };
}

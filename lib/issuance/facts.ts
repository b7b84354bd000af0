import 'server-only';
import { ownersJson, type OwnersSnapshot } from '@/lib/audit/owners';
import { getDb } from '@/lib/db';
import { hotRows } from '@/lib/db/hot-path';
import { reachableContact } from '@/lib/escalation/sql';
import { Prisma } from '@/lib/generated/prisma/client';
import { unionOf } from '@/lib/policy/evaluate';
import { RULES } from '@/lib/policy/rules';
import { getSettings, type Settings } from '@/lib/settings';
import type { AgentFacts, CredentialFacts, DecisionFacts, ExceptionFacts, PurposeFacts } from './rules';
import type { DecisionAsk } from './schema';

const CRITICAL_RULES = RULES.filter((r) => r.severity === 'CRITICAL');

type Row = {
  agent:
    | (Omit<AgentFacts, 'openReviewDueAt' | 'nextReviewDue'> & {
        openReviewDueAt: string | null;
        nextReviewDue: string | null;
      })
    | null;
  credential: CredentialFacts | null;
  purposes: PurposeFacts[] | null;
  exception: (Omit<ExceptionFacts, 'expiresAt'> & { expiresAt: string }) | null;
  criticalFindings: { ruleId: string; detail: string }[] | null;
  owners: OwnersSnapshot | null;
};

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
  const [row] = await hotRows<Row>(Prisma.sql`
      WITH a AS (SELECT * FROM "Agent" a WHERE ${agentMatch}),
      c AS (SELECT c.* FROM "Credential" c JOIN a ON c."agentId" = a."id" WHERE ${credentialMatch})
      SELECT
        (SELECT json_build_object('id', a."id", 'slug', a."slug",
          'workloadIdentity', a."workloadIdentity", 'ownerId', a."ownerId", 'status', a."status",
          'riskTier', a."riskTier",
          'ownerActive', (SELECT o."active" FROM "User" o WHERE o."id" = a."ownerId"),
          'planesHeld', (SELECT coalesce(json_agg(ca."plane"), '[]') FROM "ControlAssignment" ca
            JOIN "User" u ON u."id" = ca."userId" WHERE ca."agentId" = a."id" AND u."active"),
          'escalationReachable', ${reachableContact(Prisma.sql`a."id"`)},
          'openReviewDueAt', a."openReviewDueAt", 'nextReviewDue', a."nextReviewDue") FROM a) AS "agent",
        (SELECT ${ownersJson(Prisma.raw('a'))} FROM a) AS "owners",
        (SELECT json_build_object('id', c."id", 'name', c."name", 'kind', c."kind", 'issuance', c."issuance",
          'environment', c."environment", 'scope', c."scope", 'maxTtlSeconds', c."maxTtlSeconds",
          'privileged', c."privileged",
          'revoked', c."revokedAt" IS NOT NULL) FROM c) AS "credential",
        (SELECT json_agg(json_build_object('id', p."id", 'task', p."task", 'scope', p."scope",
          'environments', p."environments"))
          FROM "Purpose" p JOIN a ON p."agentId" = a."id"
          WHERE p."status" = 'APPROVED' AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now})) AS "purposes",
        (SELECT json_build_object('id', e."id", 'type', e."type", 'expiresAt', e."expiresAt")
          FROM "Exception" e JOIN a ON e."agentId" = a."id"
          JOIN "ExceptionCredential" ec ON ec."exceptionId" = e."id" JOIN c ON c."id" = ec."credentialId"
          WHERE e."status" = 'APPROVED' AND e."startsAt" <= ${now}
            AND e."expiresAt" >= ${new Date(now.getTime() + 1000)}
            AND e."endedAt" IS NULL AND e."revokedAt" IS NULL
          ORDER BY e."expiresAt" DESC LIMIT 1) AS "exception",
        (SELECT json_agg(json_build_object('ruleId', f."ruleId", 'detail', f."detail"))
          FROM (${critical ?? Prisma.sql`SELECT NULL::text AS "ruleId", NULL::text AS "detail" WHERE FALSE`}) f)
          AS "criticalFindings"`);
  const agent = row?.agent
    ? {
        ...row.agent,
        openReviewDueAt: row.agent.openReviewDueAt ? new Date(row.agent.openReviewDueAt) : null,
        nextReviewDue: row.agent.nextReviewDue ? new Date(row.agent.nextReviewDue) : null,
      }
    : null;
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
  };
}

import 'server-only';
import type { Tx } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';

// Uses of a credential by the wrong workload, or outside what the issuance gate allowed: marked at ingest and
// recorded in the event's details (events are never updated), with one CredentialMisuse row per mark for findings.

export const MISUSE_KINDS = ['replay-suspected', 'after-decision-ttl', 'no-allowing-decision'] as const;
export type MisuseKind = (typeof MISUSE_KINDS)[number];

/** The allowing decision a use falls under: the one it names, else the latest allow at or before the use. */
export type AllowingDecision = { id: string; validUntil: Date; workloadIdentity: string };

export type UseFacts = {
  at: Date;
  /** The workload that presented the credential, as reported (null: not reported). */
  presented: string | null;
  /** The agent's registered workload identity. */
  agentIdentity: string | null;
  gated: boolean;
  /** The use named a decision (then its window applies even to a credential that is not gated). */
  namedDecision: boolean;
  decision: AllowingDecision | null;
};

/** What is wrong with one use, most severe first. */
export function misuseOf(u: UseFacts): MisuseKind[] {
  const marks: MisuseKind[] = [];
  // Presented by a workload that is neither the agent's own nor the one the gate allowed.
  const expected = [u.agentIdentity, u.decision?.workloadIdentity].filter((x): x is string => Boolean(x));
  if (u.presented !== null && expected.some((identity) => identity !== u.presented)) {
    marks.push('replay-suspected');
  }
  if ((u.gated || u.namedDecision) && u.decision && u.decision.validUntil < u.at) marks.push('after-decision-ttl');
  else if ((u.gated || u.namedDecision) && !u.decision) marks.push('no-allowing-decision');
  return marks;
}

/** A broker's clock a little behind Custodian's still reports its use after the decision. */
const CLOCK_SKEW = '30 seconds';

/**
 * For each use, its allowing decision, one index lookup each. A named decision counts only if it allowed this
 * agent, for this credential or for a new one asked by kind and scope (which the broker then named), before the
 * use; otherwise the latest allow for this credential before the use.
 */
export async function allowingDecisions(
  tx: Tx,
  uses: { agentId: string; credentialId: string; at: Date; decisionId: string | null }[],
): Promise<(AllowingDecision | null)[]> {
  if (uses.length === 0) return [];
  const rows = await tx.$queryRaw<
    { i: bigint; id: string | null; validUntil: Date | null; workloadIdentity: string | null }[]
  >`
    SELECT x.i, d."id", d."validUntil", d."workloadIdentity"
    FROM unnest(${uses.map((u) => u.agentId)}::text[], ${uses.map((u) => u.credentialId)}::text[],
      ${uses.map((u) => u.at)}::timestamptz[], ${uses.map((u) => u.decisionId)}::text[])
      WITH ORDINALITY AS x(aid, cid, at, did, i)
    LEFT JOIN LATERAL (
      SELECT d."id", d."validUntil", d."workloadIdentity" FROM "IssuanceDecision" d
      WHERE x.did IS NOT NULL AND d."id" = x.did AND d."agentId" = x.aid AND d."allowed"
        AND d."decidedAt" <= x.at + ${CLOCK_SKEW}::interval
        AND (d."credentialId" IS NULL OR d."credentialId" = x.cid)
      UNION ALL
      (SELECT d."id", d."validUntil", d."workloadIdentity" FROM "IssuanceDecision" d
      WHERE x.did IS NULL AND d."credentialId" = x.cid AND d."allowed"
        AND d."decidedAt" <= x.at + ${CLOCK_SKEW}::interval
      ORDER BY d."decidedAt" DESC LIMIT 1)) d ON TRUE
    ORDER BY x.i`;
  return rows.map((r) =>
    r.id && r.validUntil ? { id: r.id, validUntil: r.validUntil, workloadIdentity: r.workloadIdentity ?? '' } : null,
  );
}

/** The findings' rows: one per mark, beside its event. */
export function misuseRows(
  marks: {
    seq: bigint;
    kinds: MisuseKind[];
    credentialId: string;
    agentId: string;
    at: Date;
    presented: string | null;
  }[],
): Prisma.CredentialMisuseCreateManyInput[] {
  return marks.flatMap((m) =>
    m.kinds.map((kind) => ({
      seq: m.seq,
      kind,
      credentialId: m.credentialId,
      agentId: m.agentId,
      at: m.at,
      workloadIdentity: m.presented,
    })),
  );
}

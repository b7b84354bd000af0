// A framework report's signed summary: what each control's state and counts were, as of which moment and chain
// head, and the digest of the OSCAL document that says the same. Shared by the server (which signs it) and
// `npm run audit:verify -- --report` (which checks it offline, with no database), so it imports nothing server-only.
import { createHash, type KeyObject } from 'node:crypto';
import { canonicalJson, toJson } from '@/lib/audit/canonical';
import { signatureHolds, signStatement, type SigningKey } from '@/lib/audit/signing';

export const SUMMARY_FORMAT = 'custodian.framework-report-summary.v1';

export type ReportSummary = {
  format: typeof SUMMARY_FORMAT;
  framework: { id: string; name: string; source: string };
  /** The moment the report describes. */
  at: string;
  /** The last event on the custody timeline at that moment (null: a live report of an empty chain). */
  chainHead: { seq: string; hash: string } | null;
  /** When the timeline began keeping findings (null: not yet); before it, rule results are unknown (null counts). */
  findingsHistoryFrom: string | null;
  agentsInScope: number;
  evidenceWindow: { from: string; to: string };
  controls: {
    id: string;
    state: 'assessed' | 'evidenced' | 'outside';
    rules: string[];
    failingAgents: number | null;
    passingAgents: number | null;
    evidence: { id: string; count: number; capped: boolean; qualified: number | null }[];
  }[];
  oscal: { sha256: string };
};

export type SignedSummary = { summary: ReportSummary; signature: { keyId: string; signature: string } | null };

export const sha256Hex = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The digest the signature covers: every field of the summary, canonically. */
export function summaryDigest(summary: ReportSummary): string {
  return sha256Hex(canonicalJson(toJson(summary)));
}

export function signSummary(summary: ReportSummary, key: SigningKey | null): SignedSummary {
  if (!key) return { summary, signature: null };
  const signature = signStatement(key, { kind: 'report', digest: summaryDigest(summary) });
  return { summary, signature: { keyId: key.keyId, signature } };
}

export type SummaryCheck =
  { ok: true; summary: ReportSummary; signed: boolean; oscalMatches: boolean | null } | { ok: false; reason: string };

/**
 * Checks a signed summary offline: its form, its signature by one of `keys`, and (given the OSCAL file's bytes) that
 * the OSCAL document is the one it names. Without keys, only the form and the OSCAL digest can be checked.
 */
export function verifySummary(
  text: string,
  keys: { keyId: string; key: KeyObject }[],
  oscal?: Uint8Array,
): SummaryCheck {
  let parsed: SignedSummary;
  try {
    parsed = JSON.parse(text) as SignedSummary;
  } catch {
    return { ok: false, reason: 'the file is not JSON' };
  }
  const summary = parsed?.summary;
  if (summary?.format !== SUMMARY_FORMAT || !Array.isArray(summary.controls) || !summary.oscal?.sha256) {
    return { ok: false, reason: `the file is not a ${SUMMARY_FORMAT} summary` };
  }
  const oscalMatches = oscal ? sha256Hex(oscal) === summary.oscal.sha256 : null;
  if (oscalMatches === false) {
    return { ok: false, reason: 'the OSCAL file is not the one the summary names (its SHA-256 differs)' };
  }
  if (keys.length === 0) return { ok: true, summary, signed: false, oscalMatches };
  if (!parsed.signature) return { ok: false, reason: 'the summary carries no signature' };
  const key = keys.find((k) => k.keyId === parsed.signature!.keyId);
  if (!key) return { ok: false, reason: `it is signed by key ${parsed.signature.keyId}, not a key given` };
  const holds = signatureHolds(key.key, { kind: 'report', digest: summaryDigest(summary) }, parsed.signature.signature);
  if (!holds) return { ok: false, reason: 'the signature does not hold: the summary was changed after signing' };
  return { ok: true, summary, signed: true, oscalMatches };
}

import type { CredentialRecord } from '@/lib/credentials/record';

/** The events that make an exception's state: replayed by ./exception-drift.ts. */
export const EXCEPTION_ACTIONS = [
  'exception.requested',
  'exception.approved',
  'exception.rejected',
  'exception.withdrawn',
  'exception.lapsed',
  'exception.revoked',
  'exception.expired',
] as const;

/**
 * The events that make a credential's record and last rotation, and an agent's status, tier, owners, fields and next
 * review: ./custody-drift.ts.
 */
export const CUSTODY_ACTIONS = [
  'credential.issued',
  'credential.updated',
  'credential.rotated',
  'credential.revoked',
  'agent.created',
  'agent.updated',
  'agent.status_changed',
  'owner.assigned',
  'control.assigned',
] as const;

/** The events that make a purpose (the tasks, tools and environments the issuance gate allows): ./purpose-drift.ts. */
export const PURPOSE_ACTIONS = ['purpose.added', 'purpose.changed', 'purpose.approved', 'purpose.expired'] as const;

/** The events that make a delegation grant (who may act for whom, for what, until when): ./delegation-drift.ts. */
export const DELEGATION_ACTIONS = [
  'delegation.requested',
  'delegation.approved',
  'delegation.revoked',
  'delegation.expired',
] as const;

/**
 * The events that make a review's state and due date, which the gate reads for an agent (./review-drift.ts); a
 * completed one also records the agent's next review (./custody-drift.ts).
 */
export const REVIEW_ACTIONS = ['review.opened', 'review.trigger_added', 'review.completed'] as const;

/**
 * The events that make the registry's roles, tokens, settings, exceptions in force, credentials, agents, purposes and
 * delegation grants (and an owner's baseline of them), the checks of it, restores (after which the tripwire compares
 * afresh) and redaction records (without which a tombstone is not believed): replayed by ./drift.ts, carried by
 * archives.
 */
export const REGISTRY_ACTIONS: ReadonlySet<string> = new Set([
  'role.granted',
  'role.removed',
  'token.created',
  'token.revoked',
  'settings.changed',
  ...EXCEPTION_ACTIONS,
  ...CUSTODY_ACTIONS,
  ...PURPOSE_ACTIONS,
  ...DELEGATION_ACTIONS,
  ...REVIEW_ACTIONS,
  'audit.baselined',
  'registry.checked',
  'audit.restored',
  'audit.redacted',
]);

export const REPLAYS = 4;

/**
 * The actions (by prefix) each release began counting, by the number its checks record (`replays`): 1 is a result
 * signed by a release before purposes and checks were on the chain; 2, a check that records no number; 3, before
 * rotations and reviews; REPLAYS, this release's.
 */
const COUNTED_FROM: Readonly<Record<number, string[]>> = {
  2: ['purpose.', 'registry.checked'],
  3: ['delegation.', 'audit.restored', 'audit.redacted'],
  [REPLAYS]: ['credential.rotated', 'review.'],
};

/** The registry actions a check of release `n` counted: all but those a later release began counting. */
const countedBy = (n: number) => {
  const later = Object.entries(COUNTED_FROM).flatMap(([from, prefixes]) => (Number(from) > n ? prefixes : []));
  return new Set([...REGISTRY_ACTIONS].filter((a) => !later.some((p) => a.startsWith(p))));
};

/**
 * The registry actions a check counted in what it replayed, by the number its `registry.checked` records, so a later
 * release that replays more compares like with like.
 */
export const REPLAY_SETS: Readonly<Record<number, ReadonlySet<string>>> = Object.fromEntries(
  [1, 2, 3, REPLAYS].map((n) => [n, countedBy(n)]),
);

/**
 * What a registry check recorded on the chain (`registry.checked`): its result's row, its counts, and the registry
 * events it replayed up to the signed head (how many, and a digest of their seqs), for the next run's tripwire.
 */
export type RegistryCheckedDetails = {
  checkId: string;
  driftCount: number;
  unrecorded: number;
  throughSeq: string;
  eventCount: number;
  eventsSha256: string;
  /** Which actions it counted (REPLAY_SETS): 2 where the event records no number. */
  replays: number;
};

/** A `registry.checked` event's details when whole (null: a field redacted, or not one Custodian wrote). */
export function checkedDetails(d: Record<string, unknown>): RegistryCheckedDetails | null {
  const replays = d.replays ?? 2;
  const whole =
    typeof d.checkId === 'string' &&
    Number.isSafeInteger(d.driftCount) &&
    Number.isSafeInteger(d.unrecorded) &&
    typeof d.throughSeq === 'string' &&
    /^\d{1,19}$/.test(d.throughSeq) &&
    Number.isSafeInteger(d.eventCount) &&
    typeof d.eventsSha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(d.eventsSha256) &&
    typeof replays === 'number' &&
    replays in REPLAY_SETS;
  return whole ? ({ ...d, replays } as RegistryCheckedDetails) : null;
}

/**
 * A row its events do not explain: `id` is the user's, token's, exception's, credential's, agent's, purpose's or
 * grant's, or the setting's key; `subject` names it. Or (`event`, `id` its seq) an event the check would replay that
 * was altered. `unrecorded`: no event mentions the row at all (made by hand, by an older release, by a bulk load),
 * which an owner's baseline may vouch for; any other problem contradicts a record, and is put back through Custodian.
 */
export type Drift = {
  kind:
    'role' | 'token' | 'setting' | 'exception' | 'credential' | 'agent' | 'purpose' | 'delegation' | 'review' | 'event';
  id: string;
  subject: string;
  problem: string;
  unrecorded: boolean;
};

/** A registry event: from the timeline, or carried by the signed manifest of an archived range. */
export type RegistryEvent = {
  seq: bigint;
  action: string;
  actorId: string | null;
  agentId: string | null;
  credentialId: string | null;
  /** When it happened and was recorded: null where an archive made by an earlier release carried it without. */
  occurredAt: Date | null;
  recordedAt: Date | null;
  details: Record<string, unknown>;
};

/** What a token's creation records of it (and an owner's baseline, of one as it stands). */
export type TokenRecord = {
  scopes?: string[];
  reach?: string;
  expiresInDays?: number;
  expiresAt?: string;
  fingerprint?: string;
  /** Set by no command: only an owner's baseline vouches for it. */
  rateLimitExempt?: boolean;
};

/**
 * What an owner's baseline (`audit.baselined`, ./baseline.ts) records of a row, replayed as the state from there on:
 * a person's roles, a token as it stands, a setting's value, an exception in force.
 */
export type BaselineDetails = {
  roles?: { userId: string; roles: string[] }[];
  tokens?: (TokenRecord & { tokenId: string; name: string; createdById: string; revoked: boolean })[];
  settings?: { key: string; value: unknown }[];
  exceptions?: { exceptionId: string; agentId: string; type: string; credentialIds: string[]; expiresAt: string }[];
  credentials?: (CredentialRecord & { credentialId: string; agentId: string; name: string; revoked: boolean })[];
  agents?: (AgentRecord & { agentId: string })[];
  purposes?: (PurposeRecord & { purposeId: string })[];
  reviews?: (ReviewRecord & { reviewId: string })[];
};

/** What the registry check holds a review to (./review-drift.ts): times in ISO 8601. */
export type ReviewRecord = {
  agentId: string;
  open: boolean;
  triggers: string[];
  dueAt: string | null;
  completedAt: string | null;
};

/**
 * What the registry check holds a purpose to (./purpose-drift.ts): `approvedById` is who approved it (the approval's
 * actor), `expiresAt` when it ends (ISO 8601), as the issuance gate reads them.
 */
export type PurposeRecord = {
  agentId: string;
  task: string;
  scope: string[];
  environments: string[];
  status: string;
  approvedById: string | null;
  expiresAt: string | null;
};

/**
 * What the registry check holds an agent to (./custody-drift.ts): `planes` maps a control plane to its holder,
 * `nextReviewDue` is when its next review falls due (ISO 8601; the issuance gate refuses an agent past it).
 */
export type AgentRecord = {
  status: string;
  riskTier: string;
  ownerId: string | null;
  planes: Record<string, string>;
  kind: string;
  reviewCadenceDays: number | null;
  environments: string[];
  workloadIdentity: string | null;
  nextReviewDue: string | null;
};

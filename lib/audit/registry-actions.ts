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
 * The events that make the registry's roles, tokens, settings and exceptions in force (and an owner's baseline of
 * them): replayed by ./drift.ts, carried by archives.
 */
export const REGISTRY_ACTIONS: ReadonlySet<string> = new Set([
  'role.granted',
  'role.removed',
  'token.created',
  'token.revoked',
  'settings.changed',
  ...EXCEPTION_ACTIONS,
  'audit.baselined',
]);

/**
 * A row its events do not explain: `id` is the user's, token's, exception's or the setting's key; `subject` names it.
 * `unrecorded`: no event mentions the row at all (made by hand, by an older release, by a bulk load), which an owner's
 * baseline may vouch for; any other problem contradicts a record, and is put back through Custodian.
 */
export type Drift = {
  kind: 'role' | 'token' | 'setting' | 'exception';
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
};

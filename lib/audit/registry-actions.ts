/**
 * The events that make the registry's roles, tokens and settings (and an owner's baseline of them): replayed by
 * ./drift.ts, carried by archives.
 */
export const REGISTRY_ACTIONS: ReadonlySet<string> = new Set([
  'role.granted',
  'role.removed',
  'token.created',
  'token.revoked',
  'settings.changed',
  'audit.baselined',
]);

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
 * a person's roles, a token as it stands, a setting's value.
 */
export type BaselineDetails = {
  roles?: { userId: string; name: string | null; roles: string[] }[];
  tokens?: (TokenRecord & { tokenId: string; name: string; createdById: string; revoked: boolean })[];
  settings?: { key: string; value: unknown }[];
};

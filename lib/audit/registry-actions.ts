/** The events that make the registry's roles, tokens and settings: replayed by ./drift.ts, carried by archives. */
export const REGISTRY_ACTIONS: ReadonlySet<string> = new Set([
  'role.granted',
  'role.removed',
  'token.created',
  'token.revoked',
  'settings.changed',
]);

// Custodian keeps metadata about credentials, never the credentials. Every
// free-text field of a custody record passes through this check; a value that
// looks like a secret is refused without being echoed, logged or stored.

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, 'a private key'],
  [/-----BEGIN CERTIFICATE-----/, 'a certificate body'],
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20}\b/, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
  [/\bsk-(proj-|ant-)?[A-Za-z0-9_-]{20,}\b/, 'an API secret key'],
  [/\b[rs]k_(live|test)_[A-Za-z0-9]{16,}\b/, 'a Stripe key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/, 'a SendGrid key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, 'a JSON Web Token'],
  [/AccountKey=[A-Za-z0-9+/=]{20,}/, 'a storage account key'],
  [/\b(password|passwd|pwd|secret|token|api[_-]?key)\s*[:=]\s*\S{6,}/i, 'an assignment of a secret'],
  [/[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, 'a URL with a password in it'],
];

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A long run without separators, mixing letters and digits, with high
 * entropy: how generated secrets look. Paths, names, UUIDs and hex digests
 * (at most 4 bits a character) stay below the bar.
 */
function looksRandom(token: string): boolean {
  if (token.length < 24) return false;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) return false;
  return entropy(token) > 4.2;
}

/** What kind of secret the value looks like, or null when it looks harmless. */
export function detectSecret(value: string): string | null {
  for (const [pattern, kind] of PATTERNS) if (pattern.test(value)) return kind;
  for (const token of value.split(/[\s/:,;=?&#@"'()[\]{}<>|]+/)) {
    if (looksRandom(token)) return 'a long random string';
  }
  return null;
}

export const SECRET_REFUSAL =
  'This looks like a secret value. Custodian stores metadata only: record where the credential lives (for ' +
  'example vault:kv/prod/deploy-bot/api-key), never the value itself.';

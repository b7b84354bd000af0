// Custodian's own secretlint rules, for what the recommended preset does not
// cover: more providers' token formats, JWTs, PEM blocks, passwords in URLs,
// `key=value` assignments whose key names a secret, and long high-entropy
// tokens. Each rule reports ranges; no value is ever part of a message.
import type { SecretLintRuleCreator, SecretLintSourceCode } from '@secretlint/types';

type Pattern = { id: string; re: RegExp };

/** Token formats by provider (cloud, SaaS, chat, payment, CI, observability, databases). */
const PROVIDER_PATTERNS: Pattern[] = [
  { id: 'aws-access-key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g },
  { id: 'aws-secret-assignment', re: /aws_?secret_?access_?key\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}/gi },
  { id: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { id: 'google-oauth-secret', re: /\bGOCSPX-[A-Za-z0-9_-]{28}\b/g },
  { id: 'azure-storage-key', re: /AccountKey=[A-Za-z0-9+/=]{20,}/g },
  { id: 'azure-sas', re: /[?&]sig=[A-Za-z0-9%+/=]{30,}/g },
  { id: 'digitalocean-token', re: /\bdo[oprt]_v1_[a-f0-9]{64}\b/g },
  { id: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})\b/g },
  { id: 'gitlab-token', re: /\bgl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}\b/g },
  { id: 'bitbucket-token', re: /\bATBB[A-Za-z0-9_=.-]{20,}\b/g },
  { id: 'circleci-token', re: /\bCCIPAT_[A-Za-z0-9_]{20,}\b/g },
  { id: 'slack-token', re: /\bxox[abposrec]-[A-Za-z0-9-]{10,}\b/g },
  { id: 'slack-webhook', re: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/g },
  { id: 'discord-webhook', re: /discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{30,}/g },
  { id: 'telegram-bot-token', re: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b/g },
  { id: 'teams-webhook', re: /\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@-]{30,}/g },
  { id: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b/g },
  { id: 'anthropic-key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}\b/g },
  { id: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { id: 'stripe-key', re: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { id: 'stripe-webhook-secret', re: /\bwhsec_[A-Za-z0-9]{24,}\b/g },
  { id: 'square-token', re: /\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,}\b/g },
  { id: 'paypal-braintree-token', re: /\baccess_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32}\b/g },
  { id: 'shopify-token', re: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { id: 'twilio-key', re: /\bSK[0-9a-f]{32}\b/g },
  { id: 'sendgrid-key', re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g },
  { id: 'mailgun-key', re: /\bkey-[a-f0-9]{32}\b/g },
  { id: 'mailchimp-key', re: /\b[a-f0-9]{32}-us\d{1,2}\b/g },
  { id: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { id: 'pypi-token', re: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}\b/g },
  { id: 'docker-hub-token', re: /\bdckr_pat_[A-Za-z0-9_-]{20,}\b/g },
  { id: 'datadog-key', re: /\b(?:dd|datadog)_?(?:api|app)_?key\s*[:=]\s*["']?[a-f0-9]{32,40}\b/gi },
  { id: 'newrelic-key', re: /\bNR(?:AK|AA|II|JS)-[A-Z0-9]{27}\b/g },
  { id: 'sentry-token', re: /\bsntr[ysu]_[A-Za-z0-9_=+/-]{30,}/g },
  { id: 'grafana-token', re: /\bglsa_[A-Za-z0-9]{32}_[a-f0-9]{8}\b/g },
  { id: 'pagerduty-token', re: /\bu\+[A-Za-z0-9_+-]{18}\b/g },
  { id: 'linear-key', re: /\blin_api_[A-Za-z0-9]{40}\b/g },
  { id: 'atlassian-token', re: /\bATATT3[A-Za-z0-9_=-]{40,}\b/g },
  { id: 'notion-token', re: /\b(?:secret_|ntn_)[A-Za-z0-9]{40,}\b/g },
  { id: 'databricks-token', re: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g },
  { id: 'snowflake-password', re: /snowflake:\/\/[^\s:/@]{1,256}:[^\s/@]{1,256}@/gi },
  { id: 'planetscale-token', re: /\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{30,}\b/g },
  { id: 'supabase-key', re: /\bsbp_[a-f0-9]{40}\b/g },
  { id: 'vault-token', re: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}\b/g },
  { id: 'doppler-token', re: /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}\b/g },
  { id: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,4096}/g },
  { id: 'pem-block', re: /-----BEGIN [A-Z0-9 ]{0,40}(?:PRIVATE KEY|SECRET)[A-Z ]{0,20}-----/g },
  { id: 'url-password', re: /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s/:@]{1,256}:[^\s/@]{1,256}@/gi },
  {
    id: 'secret-assignment',
    re: new RegExp(
      // Not \b: DB_PASSWORD= and GITHUB_TOKEN= name a secret too.
      '(?<![A-Za-z0-9])(?:password|passwd|pwd|passphrase|secret|client_?secret|token|access_?token|api[_-]?key|' +
        'private[_-]?key)' +
        '\\s*[:=]\\s*["\']?[^\\s"\',;]{6,512}',
      'gi',
    ),
  },
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
 * A long run without separators that mixes upper case, lower case and digits
 * with high entropy: how generated secrets look. Names, paths, UUIDs and hex
 * digests (at most 4 bits a character) stay below the bar.
 */
export function looksRandom(token: string): boolean {
  if (token.length < 24) return false;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) return false;
  return entropy(token) > 4.2;
}

const TOKEN = /[^\s/:,;=?&#@"'()[\]{}<>|\\]+/g;

function scanner(id: string, find: (content: string) => Iterable<readonly [number, number]>): SecretLintRuleCreator {
  const messages = { FOUND: { en: () => `Looks like a secret (${id}).` } };
  return {
    messages,
    meta: { id: `custodian/${id}`, type: 'scanner', recommended: true, supportedContentTypes: ['text'] },
    create(context) {
      const t = context.createTranslator(messages);
      return {
        file(source: SecretLintSourceCode) {
          for (const range of find(source.content)) context.report({ message: t('FOUND'), range });
        },
      };
    },
  };
}

function* matches(re: RegExp, content: string): Iterable<readonly [number, number]> {
  for (const m of content.matchAll(re)) yield [m.index, m.index + m[0].length] as const;
}

// A shape that resource references take on harmlessly (`secret:` in an ARN): it runs on the text with references
// masked. Every provider format, and the high-entropy rule, run on the text as sent, so a random value inside a
// reference's path is still caught (no reference segment is long, mixed-case and random).
const GENERIC = new Set(['secret-assignment']);

// 40 characters of base64 with a slash or plus inside: an AWS secret access key (its `/` would split it as a token).
const AWS_SECRET_SHAPE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

const highEntropy = scanner('high-entropy', function* (content) {
  for (const m of content.matchAll(TOKEN)) if (looksRandom(m[0])) yield [m.index, m.index + m[0].length] as const;
  for (const m of content.matchAll(AWS_SECRET_SHAPE)) {
    if (/[/+]/.test(m[0]) && looksRandom(m[0].replace(/[/+]/g, ''))) yield [m.index, m.index + 40] as const;
  }
});

/** One secretlint rule per provider pattern, and the high-entropy rule: run on the text as sent. */
export const PROVIDER_RULES: SecretLintRuleCreator[] = [
  ...PROVIDER_PATTERNS.filter(({ id }) => !GENERIC.has(id)).map(({ id, re }) =>
    scanner(id, (content) => matches(re, content)),
  ),
  highEntropy,
];

/** The secret-assignment rule: run with references masked. */
export const GENERIC_RULES: SecretLintRuleCreator[] = PROVIDER_PATTERNS.filter(({ id }) => GENERIC.has(id)).map(
  ({ id, re }) => scanner(id, (content) => matches(re, content)),
);

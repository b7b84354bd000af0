// The secret scan's table: values shaped like real secrets from many providers
// (built at run time from a seeded generator, so no real-looking secret sits in
// the repository) must be refused; references and prose must pass.
import { describe, expect, it } from 'vitest';
import { findSecrets } from './scan';

let seed = 20261201;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function gen(n: number, alphabet = ALNUM): string {
  // Always mixes cases and digits where the alphabet allows, as generated secrets do.
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return alphabet === ALNUM ? `a${s.slice(3)}Z9` : s;
}

/** [category, value] */
const SECRETS: [string, string][] = [];
const add = (category: string, make: () => string, times = 3) => {
  for (let i = 0; i < times; i++) SECRETS.push([category, make()]);
};
// cloud
add('cloud', () => `AKIA${gen(16, UPPER_NUM)}`);
add('cloud', () => `ASIA${gen(16, UPPER_NUM)}`);
add('cloud', () => `aws_secret_access_key = ${gen(40)}`);
// a bare AWS secret access key with the slashes and pluses real ones often carry
add('cloud', () => `${gen(12)}/${gen(14)}+${gen(12)}`);
add('cloud', () => `AIza${gen(35)}`);
add('cloud', () => `GOCSPX-${gen(28)}`);
add('cloud', () => `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${gen(60)}==`);
add('cloud', () => `https://acme.blob.core.windows.net/c/x?sv=2022-11-02&sig=${gen(44)}%3D`);
add('cloud', () => `dop_v1_${gen(64, HEX)}`);
// source control and CI
add('ci', () => `ghp_${gen(36)}`);
add('ci', () => `gho_${gen(36)}`);
add('ci', () => `github_pat_${gen(22)}_${gen(59)}`);
add('ci', () => `glpat-${gen(20)}`);
add('ci', () => `ATBB${gen(32)}`);
add('ci', () => `CCIPAT_${gen(22)}_${gen(40, HEX)}`);
add('ci', () => `npm_${gen(36)}`);
add('ci', () => `dckr_pat_${gen(27)}`);
add('ci', () => `pypi-AgEIcHlwaS5vcmc${gen(60)}`);
// chat
add('chat', () => `xoxb-${gen(12, '0123456789')}-${gen(13, '0123456789')}-${gen(24)}`);
add('chat', () => `xoxp-${gen(12, '0123456789')}-${gen(12, '0123456789')}-${gen(32, HEX)}`);
add('chat', () => `https://hooks.slack.com/services/T${gen(8, UPPER_NUM)}/B${gen(8, UPPER_NUM)}/${gen(24)}`);
add('chat', () => `https://discord.com/api/webhooks/${gen(18, '0123456789')}/${gen(68)}`);
add('chat', () => `${gen(9, '123456789')}:AA${gen(33)}`);
// AI
add('ai', () => `sk-${gen(48)}`);
add('ai', () => `sk-proj-${gen(64)}`);
add('ai', () => `sk-ant-api03-${gen(80)}`);
add('ai', () => `hf_${gen(34)}`);
// payment
add('payment', () => `sk_live_${gen(24)}`);
add('payment', () => `rk_live_${gen(24)}`);
add('payment', () => `whsec_${gen(32)}`);
add('payment', () => `sq0atp-${gen(22)}`);
add('payment', () => `access_token$production$${gen(16, 'abcdefghijklmnopqrstuvwxyz0123456789')}$${gen(32, HEX)}`);
add('payment', () => `shpat_${gen(32, HEX)}`);
// SaaS and e-mail
add('saas', () => `SK${gen(32, HEX)}`);
add('saas', () => `SG.${gen(22)}.${gen(43)}`);
add('saas', () => `key-${gen(32, HEX)}`);
add('saas', () => `${gen(32, HEX)}-us14`);
add('saas', () => `lin_api_${gen(40)}`);
add('saas', () => `ATATT3${gen(60)}`);
add('saas', () => `ntn_${gen(46)}`);
// observability
add('observability', () => `DD_API_KEY=${gen(32, HEX)}`);
add('observability', () => `NRAK-${gen(27, UPPER_NUM)}`);
add('observability', () => `sntrys_${gen(60)}`);
add('observability', () => `glsa_${gen(32)}_${gen(8, HEX)}`);
// databases and data
add('database', () => `postgres://app:${gen(16)}@db.internal:5432/app`);
add('database', () => `mysql://root:${gen(12)}@10.0.0.5/shop`);
add('database', () => `mongodb+srv://svc:${gen(14)}@cluster0.example.net/db`);
add('database', () => `snowflake://loader:${gen(14)}@acme.eu-west-1/db`);
add('database', () => `dapi${gen(32, HEX)}`);
add('database', () => `pscale_tkn_${gen(43)}`);
add('database', () => `sbp_${gen(40, HEX)}`);
// secret stores' own tokens
add('vault', () => `hvs.${gen(90)}`);
add('vault', () => `dp.st.prod.${gen(40)}`);
// generic shapes
add('generic', () => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ${gen(20)}.${gen(43)}`);
add('generic', () => `-----BEGIN RSA ${'PRIVATE'} KEY-----\nMIIEow${gen(40)}`, 1);
add('generic', () => `-----BEGIN ${'OPENSSH'} PRIVATE KEY-----\nb3Blbn${gen(40)}`, 1);
add('generic', () => `-----BEGIN ${'EC'} PRIVATE KEY-----\nMHcCAQ${gen(40)}`, 1);
add('generic', () => `password=${gen(14)}`);
add('generic', () => `DB_PASSWORD=${gen(14)}`);
add('generic', () => `export GITHUB_TOKEN=${gen(20)}`);
add('generic', () => `client_secret: ${gen(30)}`);
add('generic', () => `https://deploy:${gen(12)}@git.example.com/repo.git`);
add('generic', () => gen(40));
add('generic', () => `rotate this: ${gen(32)} now`);
add('generic', () => `vault:kv/prod/deploy-bot?token=${gen(32)}`);
// a reference prefix, an invisible character or compatibility forms do not hide a provider token
add('disguised', () => `env:ghp_${gen(36)}`, 1);
add('disguised', () => `vault:kv/prod/ghp_${gen(36)}`, 1);
add('disguised', () => `op://Engineering/xoxb-${gen(12, '0123456789')}-${gen(13, '0123456789')}-${gen(24)}`, 1);
add('disguised', () => `AKIA\u00ad${gen(16, UPPER_NUM)}`, 1);
add('disguised', () => `dapi\u200b${gen(32, HEX)}`, 1);
add('disguised', () => `ｇｈｐ＿${gen(36)}`, 1);
// a random value of no known format, riding inside an allowed reference's path
add('disguised', () => `arn:aws:iam::123456789012:role/${gen(40)}`, 1);
add('disguised', () => `vault:kv/prod/${gen(32)}`, 1);
add('disguised', () => `file:/run/secrets/${gen(36)}`, 1);

const HARMLESS: string[] = [
  'vault:kv/prod/deploy-bot/api-key',
  'vault:kv/shared/warehouse-readonly',
  'vault://secret/data/payments/stripe',
  'ci:DEPLOY_BOT_API_KEY',
  'env:DATABASE_URL',
  'file:/run/secrets/signing-key.pem',
  'op://Engineering/deploy-bot/credential',
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbCdEf',
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:payments/stripe-live-key-Zx81Qp',
  'arn:aws:ssm:eu-west-1:123456789012:parameter/prod/deploy-bot/token',
  'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'arn:aws:iam::123456789012:role/ci-runner',
  'https://corp-kv.vault.azure.net/secrets/api-key',
  'https://corp-kv.vault.azure.net/secrets/api-key/0123456789abcdef0123456789abcdef',
  'https://prod-kv.vault.azure.net/certificates/tls-frontend',
  'projects/acme-prod/secrets/db-password/versions/latest',
  'projects/acme-prod/secrets/stripe-key/versions/7',
  'DEPLOY_BOT_API_KEY',
  'STRIPE_SECRET_KEY',
  'GITHUB_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'OPENAI_API_KEY',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
  '9fceb02d0ae598e95dc970b74767f19372d61af8',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '550e8400-e29b-41d4-a716-446655440000',
  'F47AC10B-58CC-4372-A567-0E02B2C3D479',
  'cmgq3x9vz0000abcdxyz12345',
  'cred_3f9a1c0b7d2e4f6a8b9c0d1e',
  'deploy-bot-ssh-key-prod',
  'github-app-installation-token',
  'read-only',
  'tickets:write',
  'warehouse:load',
  'github:repo-write, jira',
  'repo:read, issues:write',
  'spiffe://example.com/agents/deploy-bot',
  'spiffe://corp.example/ns/ci/sa/runner-7',
  'https://vault.example.com/v1/kv/data/prod/deploy-bot',
  'https://accounts.google.com/o/oauth2/auth',
  'Rotated after the incident on 2026-11-02',
  'The password is kept in the broker and never leaves it',
  'Used by the nightly ETL to load orders',
  'k8s secret prod/deploy-bot-registry',
  'AKIA is the prefix of AWS keys (documentation note)',
  'sk-short',
  'ghp_short',
  'azure-keyvault://prod-kv/deploy-bot-cert',
  'ssm:/prod/deploy-bot/token-path',
  'OAuth client for the CRM integration',
  'CamelCaseIdentifierWithoutDigits',
  'snowflake role ANALYST_RO',
  'kubernetes:serviceaccount:ci:deploy-bot',
  'token rotation every 30 days',
  'Ship releases',
  'Triage support tickets and draft replies',
  'Reads release notes and posts a summary to #releases',
  'Incident INC-2041: manual rollback of the payments service',
  'Confirmed with on-call; rollback plan reviewed',
  'Lock released; access no longer needed',
  'Vendor limitation documented in RISK-88',
  'Scope to the docs repositories instead',
  'Hot-fix approved by the model risk committee',
  'Left the company',
  'Moved to the platform team',
  'It only reads release notes now',
  'Quarterly access review Q4 2026',
  'Deploy bot',
  'Terraform planner',
  'Refund assistant',
  'vault-broker-prod',
  'ci-runner-eu-west-1',
  'deploy 4121',
  'nightly run',
  'ticket update',
  'query',
  'https://github.com/acme/deploy-bot/pull/4121',
  'https://jira.example.com/browse/SEC-204',
  'postgres://db.internal:5432/app',
  'mysql://10.0.0.5/shop',
  'The API key lives in Vault under kv/prod',
  'password rotation is automatic',
  'secret scanning is on for this repository',
  'token: see the broker',
  'Runs every 15 minutes with a 900-second TTL',
  'v2.14.3',
  '2026-12-01T10:15:00Z',
  'eu-west-1',
  'us-east-1a',
  'sha256:9fceb02d0ae598e95dc970b74767f19372d61af8',
  'C:\\agents\\deploy-bot\\config.yaml',
  '/etc/custodian/agents.yaml',
  'agents/deploy-bot/purpose.md',
  'release-notes@example.com',
  'Olivia Brooks',
  'Priya Natarajan',
  'Zoë Ångström-Müller',
  '東京のデプロイボット',
  'Δοκιμή περιγραφής',
  'Emoji are fine 🚀 in descriptions',
  'Mixed Case Words With 123 Numbers',
  'ABC-123 follow-up',
];

describe('the secret scan', () => {
  it('has a table of 100+ secret-looking values across providers and 100+ harmless ones', () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(SECRETS.map(([c]) => c)).size).toBeGreaterThanOrEqual(9);
    expect(HARMLESS.length).toBeGreaterThanOrEqual(100);
  });

  it('refuses every secret-looking value, alone and all in one call', async () => {
    const alone = await Promise.all(SECRETS.map(async ([category, v]) => [category, (await findSecrets([v])).length]));
    expect(alone.filter(([, n]) => n === 0)).toEqual([]);
    const together = await findSecrets(SECRETS.map(([, v]) => v));
    expect(together.map((f) => f.index)).toEqual(SECRETS.map((_, i) => i));
  });

  it('passes references, identifiers and prose, alone and all in one call', async () => {
    const alone = await Promise.all(HARMLESS.map(async (v) => [v, await findSecrets([v])] as const));
    expect(alone.filter(([, found]) => found.length > 0)).toEqual([]);
    expect(await findSecrets(HARMLESS)).toEqual([]);
  });

  it('attributes each finding to the value it is in, and a disable comment does not switch the scan off', async () => {
    const found = await findSecrets([
      'fine',
      `ghp_${gen(36)}`,
      'also fine',
      `# secretlint-disable\nsk_live_${gen(24)}`,
    ]);
    expect(found.map((f) => f.index)).toEqual([1, 3]);
    expect(found[0]!.ruleId).toMatch(/github/);
  });
});

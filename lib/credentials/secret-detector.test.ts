import { describe, expect, it } from 'vitest';
import { detectSecret } from './secret-detector';

// Synthetic look-alikes built at run time so no real-looking secret sits in the repository.
const repeat = (s: string, n: number) => s.repeat(n);
const secretLooking: string[] = [
  `AKIA${'IOSFODNN7EXAMPLE'}`,
  `ASIA${'ABCDEFGHIJKLMNOP'}`,
  `ghp_${repeat('aB3dE', 7)}x`,
  `gho_${repeat('Zy9Xw', 7)}q`,
  `github_pat_${repeat('11ABCDEFG0', 3)}`,
  `glpat-${repeat('aB3dE', 4)}`,
  `xoxb-${repeat('1234567890', 2)}-abcdefABCDEF`,
  `xoxp-${repeat('9876543210', 2)}`,
  `sk-${repeat('Ab1Cd2Ef3G', 3)}`,
  `sk-proj-${repeat('Qw3Er4Ty5U', 3)}`,
  `sk-ant-${repeat('Zx8Cv7Bn6M', 3)}`,
  `sk_live_${repeat('51HbC2', 4)}`,
  `rk_test_${repeat('9aZ8bY', 4)}`,
  `AIza${repeat('SyA1b2C3d4E', 3)}xy`,
  `npm_${repeat('aB1cD2eF3g', 3)}H4iJ5k`,
  `SG.${repeat('aB1cD2eF3g', 2)}.${repeat('Zz9Yy8Xx7w', 2)}`,
  `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${repeat('dBjftJeZ4CVP', 2)}`,
  `-----BEGIN RSA ${'PRIVATE'} KEY-----\nMIIEow…`,
  `-----BEGIN ${'OPENSSH'} PRIVATE KEY-----`,
  `-----BEGIN ${'EC'} PRIVATE KEY-----`,
  '-----BEGIN CERTIFICATE-----\nMIIB…',
  'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=' + repeat('aB3+dE/f', 4),
  'password=Sup3rS3cret!',
  'api_key: 9f8e7d6c5b4a',
  'token = abcdef123456',
  'postgres://app:hunter22@db.internal:5432/app',
  'https://user:p4ss@example.com/path',
  'Zq8vN2kLp4Xr7TbW1cYh9DsF3gJm6QeR',
  'vault:kv/prod/deploy-bot/Zq8vN2kLp4Xr7TbW1cYh9DsF3gJm6QeR',
  'scope with kP9xR2mV7qL4wZ8nB3cT6yH1fD5gJ0sA inside',
  `ghs_${repeat('Mn4Op', 7)}z`,
];

const harmless: string[] = [
  'vault:kv/prod/deploy-bot/api-key',
  'vault:kv/shared/warehouse-readonly',
  'ci:DEPLOY_BOT_API_KEY',
  'aws:iam::123456789012:role/deploy-bot',
  'arn:aws:iam::123456789012:role/ci-runner',
  'deploy-bot-ssh-key-prod',
  'github-app-installation-token',
  'read-only',
  'tickets:write',
  'warehouse:load',
  'repo:read, issues:write',
  'spiffe://example.com/agents/deploy-bot',
  'https://vault.example.com/v1/kv/data/prod/deploy-bot',
  '550e8400-e29b-41d4-a716-446655440000',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'Rotated after the incident on 2026-11-02',
  'The password is kept in the broker and never leaves it',
  'Used by the nightly ETL to load orders',
  'k8s secret prod/deploy-bot-registry',
  'AKIA is the prefix of AWS keys (documentation note)',
  'sk-short',
  'ghp_short',
  'projects/my-project/secrets/db-password/versions/latest',
  'azure-keyvault://prod-kv/deploy-bot-cert',
  'ssm:/prod/deploy-bot/token-path',
  'OAuth client for the CRM integration',
  'CamelCaseIdentifierWithoutDigits',
  'snowflake role ANALYST_RO',
  '1password://Engineering/Deploy bot/credential',
  'kubernetes:serviceaccount:ci:deploy-bot',
  'token rotation every 30 days',
];

describe('secret detector', () => {
  it.each(secretLooking)('refuses a secret-looking value (%#)', (value) => {
    expect(detectSecret(value)).not.toBeNull();
  });

  it.each(harmless)('accepts harmless metadata: %s', (value) => {
    expect(detectSecret(value)).toBeNull();
  });
});

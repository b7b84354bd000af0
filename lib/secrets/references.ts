// Resource references are not secrets: where a credential lives, never what it
// is. Each is masked (replaced by spaces of the same length, so positions hold)
// before the scan. Their character sets leave out `=`, `?` and `&`, so a
// secret cannot ride inside one as a query or an assignment.
const REFERENCES: RegExp[] = [
  // vault:kv/prod/deploy-bot/api-key, vault://secret/data/app
  /\bvault:(?:\/\/)?[A-Za-z0-9._/-]+/g,
  // arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbCdEf (also ssm, kms, iam)
  /\barn:aws[a-z-]*:(?:secretsmanager|ssm|kms|iam):[a-z0-9-]*:\d{0,12}:[A-Za-z0-9/_.:-]{1,512}/g,
  // https://corp-kv.vault.azure.net/secrets/api-key/0123abcd…
  /\bhttps:\/\/[a-z0-9-]+\.vault\.azure\.net\/(?:secrets|keys|certificates)\/[A-Za-z0-9/_-]+/g,
  // projects/acme-prod/secrets/api-key/versions/3 (Google Secret Manager)
  /\bprojects\/[a-z0-9-]+\/secrets\/[A-Za-z0-9_-]+(?:\/versions\/(?:\d+|latest))?/g,
  // ci:DEPLOY_BOT_API_KEY, env:DATABASE_URL, file:/run/secrets/x
  /\b(?:ci|env|file):[A-Za-z0-9._/-]+/g,
  // op://vault/item/field (1Password references)
  /\bop:\/\/[A-Za-z0-9._/-]+/g,
  // git SHAs and UUIDs
  /\b[0-9a-f]{40}\b/g,
  /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g,
];

export function maskReferences(text: string): string {
  let masked = text;
  for (const re of REFERENCES) masked = masked.replace(re, (m) => ' '.repeat(m.length));
  return masked;
}

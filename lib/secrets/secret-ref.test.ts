import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSigningKey, requireSigningKey } from '@/lib/audit/signing';
import { getEnv, resetEnvCache } from '@/lib/env';
import { resolveSecret, SecretRef, SecretUnavailable } from './secret-ref';

const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const dir = mkdtempSync(path.join(tmpdir(), 'secret-ref-'));

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe('Custodian’s own secrets are references, never values', () => {
  it('accepts env:NAME and file:/absolute/path and refuses a value, naming the two forms', () => {
    expect(SecretRef.parse('env:SMTP_PASSWORD')).toBe('env:SMTP_PASSWORD');
    expect(SecretRef.parse(' file:/run/secrets/audit.pem ')).toBe('file:/run/secrets/audit.pem');
    for (const value of [
      pem(),
      'hunter2',
      'env:lower',
      'file:relative/path',
      'vault:secret/x',
      'env:',
      'file:/a\u0000b',
    ]) {
      const parsed = SecretRef.safeParse(value);
      expect(parsed.success, value).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/env:NAME .* or file:\/absolute\/path/);
    }
  });

  it('resolves at each use, so a rotated file or variable takes effect; a failure never shows the value', () => {
    const file = path.join(dir, 'webhook-secret');
    writeFileSync(file, 'first-value');
    expect(resolveSecret(`file:${file}`)).toBe('first-value');
    writeFileSync(file, 'second-value');
    expect(resolveSecret(`file:${file}`)).toBe('second-value');
    vi.stubEnv('CUSTODIAN_SMTP_PASSWORD', 'from-the-environment');
    expect(resolveSecret('env:CUSTODIAN_SMTP_PASSWORD')).toBe('from-the-environment');

    writeFileSync(file, '  \n');
    expect(() => resolveSecret(`file:${file}`)).toThrow(new SecretUnavailable(`file:${file} is empty.`));
    expect(() => resolveSecret('env:CUSTODIAN_UNSET_FOR_TEST')).toThrow('env:CUSTODIAN_UNSET_FOR_TEST is unset.');
    expect(() => resolveSecret(`file:${dir}/missing`)).toThrow(/cannot be read \(ENOENT\)/);
    try {
      resolveSecret('the-secret-itself');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('the-secret-itself');
    }
  });

  it('the audit signing key is read through its reference; the PEM itself in AUDIT_SIGNING_KEY is refused', () => {
    const key = pem();
    const file = path.join(dir, 'audit.pem');
    writeFileSync(file, key);
    vi.stubEnv('AUDIT_SIGNING_KEY', `file:${file}`);
    resetEnvCache();
    const fromFile = loadSigningKey()!.keyId;
    vi.stubEnv('AUDIT_SIGNING_KEY', 'env:CUSTODIAN_AUDIT_PEM');
    vi.stubEnv('CUSTODIAN_AUDIT_PEM', key);
    resetEnvCache();
    expect(loadSigningKey()!.keyId).toBe(fromFile);
    // Rotation: the file changes, the next checkpoint uses the new key without a restart.
    vi.stubEnv('AUDIT_SIGNING_KEY', `file:${file}`);
    resetEnvCache();
    writeFileSync(file, pem());
    expect(loadSigningKey()!.keyId).not.toBe(fromFile);

    vi.stubEnv('AUDIT_SIGNING_KEY', key);
    resetEnvCache();
    expect(() => getEnv()).toThrow(/AUDIT_SIGNING_KEY: Give a reference to the secret, not the secret/);
    expect(() => getEnv()).not.toThrow(/PRIVATE KEY/);
  });

  it('AUDIT_REQUIRE_SIGNING=true: a production server without a key refuses to start; with one it starts', () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('AUTH_DEMO', 'false');
    vi.stubEnv('AUDIT_REQUIRE_SIGNING', 'true');
    // Whatever key the shell running the tests holds.
    vi.stubEnv('AUDIT_SIGNING_KEY', undefined);
    resetEnvCache();
    expect(() => requireSigningKey()).toThrow(/AUDIT_REQUIRE_SIGNING=true but no signing key is configured/);
    const file = path.join(dir, 'required.pem');
    writeFileSync(file, pem());
    vi.stubEnv('AUDIT_SIGNING_KEY', `file:${file}`);
    resetEnvCache();
    expect(() => requireSigningKey()).not.toThrow();
  });
});

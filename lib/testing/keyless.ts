import { vi } from 'vitest';
import { resetEnvCache } from '@/lib/env';

/**
 * Runs `fn` as a production server with no audit signing key: what it appends is chained but unsigned (as an event
 * the application's database role writes around Custodian would be). The environment is put back after.
 */
export async function asKeylessServer<T>(fn: () => Promise<T>): Promise<T> {
  const env = { NODE_ENV: 'production', AUTH_DEMO: 'false', AUDIT_SIGNING_KEY: undefined };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const stub = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) vi.stubEnv(k, v);
    resetEnvCache();
  };
  stub(env);
  try {
    return await fn();
  } finally {
    stub(saved);
  }
}

import 'server-only';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getEnv } from '@/lib/env';

const DEV_SECRET_FILE = '.data/auth-secret';

/**
 * The session-signing secret: NEXTAUTH_SECRET, or outside production a random
 * one kept in .data/ so development sessions survive restarts.
 */
export function getAuthSecret(): string {
  const env = getEnv();
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new Error('NEXTAUTH_SECRET is required in production (generate one with `openssl rand -base64 48`).');
  }
  if (!existsSync(DEV_SECRET_FILE)) {
    mkdirSync('.data', { recursive: true });
    writeFileSync(DEV_SECRET_FILE, randomBytes(48).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(DEV_SECRET_FILE, 'utf8').trim();
}

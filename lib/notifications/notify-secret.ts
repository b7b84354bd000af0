import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { getEnv } from '@/lib/env';
import { resolveSecret, SecretUnavailable } from '@/lib/secrets/secret-ref';

// An endpoint's references are written by a form, so they reach only what an operator set aside for them: variables
// named NOTIFY_… (./schema.ts) and files under NOTIFY_SECRETS_DIR. A file anywhere else (the audit key, /proc) would
// become a webhook's signing key, and what reading it failed with would say whether it exists.

/** Why a file reference may not be used by an endpoint, or null (not a file reference, or under the directory). */
export function notifyFileProblem(ref: string): string | null {
  const trimmed = ref.trim();
  if (!trimmed.startsWith('file:')) return null;
  const dir = getEnv().NOTIFY_SECRETS_DIR;
  if (!dir || !isAbsolute(dir)) {
    return 'File references are off for notifications: set NOTIFY_SECRETS_DIR to the directory that holds them.';
  }
  const inside = (base: string, path: string) => {
    const rel = relative(base, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  const path = resolve(trimmed.slice('file:'.length));
  if (!inside(resolve(dir), path)) return `A file reference for notifications lies under ${dir}.`;
  // A link inside the directory that leads out of it is outside it.
  try {
    if (!inside(realpathSync(dir), realpathSync(path))) return `A file reference for notifications lies under ${dir}.`;
  } catch {
    // Missing: reading it says so, as for any reference.
  }
  return null;
}

/** The value an endpoint's reference points at, read now; a file outside NOTIFY_SECRETS_DIR is never read. */
export function resolveNotifySecret(ref: string): string {
  const problem = notifyFileProblem(ref);
  if (problem) throw new SecretUnavailable(problem);
  return resolveSecret(ref);
}

import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { z } from 'zod';

/**
 * Where Custodian's own secrets live (its audit signing key; later webhook signing secrets and SMTP passwords):
 * a reference — `env:NAME` or `file:/absolute/path` — never the value, in configuration or in the database.
 */
export const SecretRef = z
  .string()
  .trim()
  .regex(
    /^(env:[A-Z_][A-Z0-9_]{0,127}|file:\/[^\0\r\n]{1,1023})$/,
    'Give a reference to the secret, not the secret: env:NAME (an environment variable) or file:/absolute/path.',
  );

const MAX_FILE_BYTES = 64 * 1024;

/** A reference that names nothing, or whose target is empty: it says which, never what it holds. */
export class SecretUnavailable extends Error {}

/**
 * The value a reference points at, read now (so a rotated file or variable takes effect without a restart). The one
 * reader of variables a reference names; everything else reads configuration through lib/env.
 */
export function resolveSecret(ref: string): string {
  const parsed = SecretRef.safeParse(ref);
  if (!parsed.success) throw new SecretUnavailable(parsed.error.issues[0]!.message);
  const [kind, target] = [
    parsed.data.slice(0, parsed.data.indexOf(':')),
    parsed.data.slice(parsed.data.indexOf(':') + 1),
  ];
  let value: string | undefined;
  if (kind === 'env') value = process.env[target];
  else {
    if (!isAbsolute(target)) throw new SecretUnavailable(`${ref}: give an absolute path.`);
    try {
      // A key or a password is small and a regular file: /dev/zero, a FIFO or a huge file would hang the reader.
      const stat = statSync(target);
      if (!stat.isFile() || stat.size > MAX_FILE_BYTES) {
        throw new SecretUnavailable(`${ref} is not a regular file of at most 64 KiB.`);
      }
      value = readFileSync(target, 'utf8');
    } catch (error) {
      if (error instanceof SecretUnavailable) throw error;
      throw new SecretUnavailable(`${ref} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
  if (!value?.trim()) throw new SecretUnavailable(`${ref} is ${kind === 'env' ? 'unset' : 'empty'}.`);
  return value;
}

import 'server-only';
import { problem } from './problem';

// The Idempotency-Key header, read at the edge; the domain claims it (lib/idempotency/keys.ts).

/** The request's Idempotency-Key (undefined when none), or the problem to answer with. */
export function idempotencyKeyOf(request: Request): string | undefined | Response {
  const key = request.headers.get('idempotency-key') ?? undefined;
  if (key !== undefined && !/^[\w.:-]{1,200}$/.test(key)) {
    return problem(400, 'Idempotency-Key must be 1–200 letters, digits, dots, colons, underscores or hyphens.');
  }
  return key;
}

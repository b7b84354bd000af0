import 'server-only';
import { problem } from './problem';

// Optimistic concurrency for the write API: a record's `version` is its ETag; a write names the version it read in
// If-Match. Missing: 428 (a write that does not say what it read could undo someone's change). Stale: 412
// (problemFrom answers a StaleVersion so).

/** The ETag of a record version. */
export const etagOf = (version: number) => `"v${version}"`;

/** The version an If-Match names, or the problem to answer with. */
export function ifMatchVersion(request: Request): number | Response {
  const header = request.headers.get('if-match');
  if (!header) {
    return problem(428, 'Send If-Match with the ETag you read (GET the agent first), so no change is lost.');
  }
  // A strong ETag, as given: a weak one, a list or * names no single version read.
  const match = /^"v([1-9]\d{0,8})"$/.exec(header.trim());
  if (!match) return problem(412, `If-Match ${JSON.stringify(header.slice(0, 40))} is not an ETag this API gave.`);
  return Number(match[1]);
}

import 'server-only';
import { problem } from './problem';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The JSON body of an API request, or the problem to answer with (413 too large, 400 not JSON). */
export async function readJsonBody(request: Request): Promise<{ body: unknown } | Response> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES)
    return problem(413, `The body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB: send smaller batches.`);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES)
    return problem(413, `The body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB: send smaller batches.`);
  try {
    return { body: JSON.parse(text) };
  } catch {
    return problem(400, 'The body is not valid JSON.');
  }
}

/** A JSON response for the API. */
export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

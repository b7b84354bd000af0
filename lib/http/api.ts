import 'server-only';
import { hostileJson } from './hostile';
import { problem } from './problem';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A 415 for a body that does not say it is JSON, else null (checked before any of it is read). */
export function notJson(headers: Headers): Response | null {
  const type = (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return null;
  return problem(415, 'Send the body as JSON, with Content-Type: application/json.');
}

/**
 * The JSON body of an API request, or the problem to answer with: 415 when it is not declared as JSON, 413 too
 * large, 400 not UTF-8, not JSON, or carrying a control character or lone surrogate in any string.
 */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<{ body: unknown } | Response> {
  const wrongType = notJson(request.headers);
  if (wrongType) return wrongType;
  const declared = Number(request.headers.get('content-length') ?? 0);
  const tooLarge = () => problem(413, `The body is over ${limit / 1024 / 1024} MiB: send smaller batches.`);
  if (declared > limit) return tooLarge();
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > limit) return tooLarge();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return problem(400, 'The body is not valid UTF-8.');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, 'The body is not valid JSON.');
  }
  const hostile = hostileJson(body);
  if (hostile) return problem(400, `${hostile.path || 'The body'} holds ${hostile.problem}: not allowed.`);
  return { body };
}

/** A JSON response for the API. */
export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

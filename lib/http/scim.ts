import 'server-only';
import type { Actor } from '@/lib/authz';
import { DomainError, Invalid, TooManyRequests, Unauthenticated } from '@/lib/errors';
import { logFailure } from '@/lib/ops/request-log';
import { SCHEMAS, ScimConflict, ScimInvalid } from '@/lib/scim/schema';
import { authenticate } from '@/lib/tokens/bearer';
import { hostileJson } from './hostile';

const MAX_BODY_BYTES = 1024 * 1024;
const SCIM_JSON = 'application/scim+json';

/** A SCIM error response (RFC 7644 §3.12): status as a string, a scimType where one applies. */
export function scimError(status: number, detail: string, scimType?: string): Response {
  return new Response(
    JSON.stringify({ schemas: [SCHEMAS.error], status: String(status), ...(scimType ? { scimType } : {}), detail }),
    { status, headers: { 'content-type': SCIM_JSON, 'cache-control': 'no-store' } },
  );
}

export function scimJson(body: unknown, status = 200, location?: string): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': SCIM_JSON, 'cache-control': 'no-store', ...(location ? { location } : {}) },
  });
}

function fromError(error: unknown): Response {
  if (!(error instanceof DomainError)) {
    logFailure('SCIM request failed', error);
    return scimError(500, 'Something went wrong on our side; nothing was changed.');
  }
  if (error instanceof ScimInvalid) return scimError(400, error.message, error.scimType);
  if (error instanceof ScimConflict) return scimError(409, error.message, 'uniqueness');
  if (error instanceof Invalid) {
    const fields = Object.entries(error.fieldErrors).flatMap(([f, m]) => (m ?? []).map((x) => (f ? `${f}: ${x}` : x)));
    return scimError(400, [error.message, ...fields.slice(0, 5)].join(' '), 'invalidValue');
  }
  const response = scimError(error.status, error.message);
  if (error instanceof Unauthenticated) response.headers.set('www-authenticate', 'Bearer realm="custodian-scim"');
  if (error instanceof TooManyRequests) response.headers.set('retry-after', String(error.retryAfterSeconds));
  return response;
}

type ScimCall = { actor: Actor; body: unknown; base: string; params: Record<string, string> };

/**
 * One SCIM request: the token (scope scim:provision, acting as its creator), the JSON body when there is one
 * (application/scim+json or application/json, at most 1 MiB), and every refusal as a SCIM error.
 */
export async function scimRoute(request: Request, work: (call: ScimCall) => Promise<Response>): Promise<Response> {
  try {
    const token = await authenticate(request, 'scim:provision');
    const url = new URL(request.url);
    const base = url.origin;
    const params = Object.fromEntries(url.searchParams);
    let body: unknown = undefined;
    if (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH') {
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== SCIM_JSON && type !== 'application/json') {
        return scimError(415, 'Send the body as application/scim+json.');
      }
      if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
        return scimError(413, 'The body is over 1 MiB.');
      }
      const bytes = await request.arrayBuffer();
      if (bytes.byteLength > MAX_BODY_BYTES) return scimError(413, 'The body is over 1 MiB.');
      try {
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        return scimError(400, 'The body is not UTF-8 JSON.', 'invalidSyntax');
      }
      const hostile = hostileJson(body);
      if (hostile) return scimError(400, `${hostile.path || 'The body'} holds ${hostile.problem}.`, 'invalidSyntax');
    }
    return await work({ actor: token.creator, body, base, params });
  } catch (error) {
    return fromError(error);
  }
}

/** The methods a SCIM endpoint does not serve: 405 in SCIM's shape. */
export function scimMethodNotAllowed(...allowed: string[]): () => Response {
  return () => {
    const response = scimError(405, `This endpoint answers ${allowed.join(', ')}.`);
    response.headers.set('allow', allowed.join(', '));
    return response;
  };
}

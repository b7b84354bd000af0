import { DomainError, Invalid, StaleVersion, TooManyRequests, Unauthenticated } from '@/lib/errors';
import { logFailure } from '@/lib/ops/request-log';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** An RFC 9457 problem details response. */
export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Response {
  return Response.json(
    { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...extra },
    { status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' } },
  );
}

/**
 * The one mapping from a thrown error to problem JSON for every route handler:
 * a domain error answers with its own status (Invalid names each field), and
 * anything else is logged and answered 500 without detail.
 */
export function problemFrom(error: unknown, requestId?: string): Response {
  if (!(error instanceof DomainError)) {
    logFailure('route handler failed', error, requestId);
    return problem(500, 'Something went wrong on our side; nothing was changed. Try again.');
  }
  // An API write named a version (If-Match) someone else has moved on from.
  if (error instanceof StaleVersion) {
    return problem(412, 'It changed since you read it: GET it again and retry with its new ETag.');
  }
  const extra =
    error instanceof Invalid
      ? {
          errors: Object.entries(error.fieldErrors).flatMap(([path, messages]) =>
            (messages ?? []).map((message) => ({ path, message })),
          ),
        }
      : {};
  const response = problem(error.status, error.message, extra);
  if (error instanceof Unauthenticated) response.headers.set('www-authenticate', 'Bearer realm="custodian"');
  if (error instanceof TooManyRequests) response.headers.set('retry-after', String(error.retryAfterSeconds));
  return response;
}

/** Runs a route handler's work and answers any thrown error as problem JSON (logged under `requestId` when given). */
export async function handleRoute(work: () => Promise<Response>, requestId?: string): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return problemFrom(error, requestId);
  }
}

/**
 * The handler for the methods a route does not serve: 405 problem JSON naming those it does (Next's own 405 has
 * no body). Exported by each route under every other method name.
 */
export function methodNotAllowed(...allowed: string[]): () => Response {
  return () => {
    const response = problem(405, `This endpoint answers ${allowed.join(' and ')} only.`);
    response.headers.set('allow', allowed.join(', '));
    return response;
  };
}

/** Any other answer of 400 or more, as problem JSON with its text as the detail (next-auth answers in plain text). */
export async function asProblem(response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (response.status < 400 || type.includes('json')) return response;
  const text = (await response.text()).replace(/^Error:\s*/, '').slice(0, 300);
  return problem(response.status, text || (TITLES[response.status] ?? 'Error'));
}

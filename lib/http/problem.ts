const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  422: 'Unprocessable content',
  429: 'Too many requests',
};

/** An RFC 9457 problem details response. */
export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Response {
  return Response.json(
    { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...extra },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

import { describe, expect, it } from 'vitest';
import { captureLog } from '@/lib/testing/log-capture';
import { logRequestError } from './request-log';

describe('errors Next.js catches in a request (instrumentation onRequestError)', () => {
  const request = {
    path: '/agents?q=token=cst_live_0123456789abcdef',
    method: 'GET',
    headers: { 'x-request-id': 'req-0a1b2c3d', cookie: 'next-auth.session-token=secret-session-value' },
  };
  const context = { routePath: '/agents', routeType: 'render' };

  it('are one JSON line with the request id, method, path and route: never the query or the headers', () => {
    const { logger, lines } = captureLog();
    logRequestError(new Error('the database did not answer'), request, context, logger);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'request failed',
        requestId: 'req-0a1b2c3d',
        method: 'GET',
        path: '/agents',
        route: '/agents',
        routeType: 'render',
        err: expect.objectContaining({ type: 'Error', message: 'the database did not answer' }),
      }),
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('cst_live_');
    expect(text).not.toContain('secret-session-value');
  });

  it("leave out Next.js's own control flow (redirect, notFound, dynamic rendering)", () => {
    const { logger, lines } = captureLog();
    const digests = ['NEXT_REDIRECT;replace;/signin;307;', 'NEXT_HTTP_ERROR_FALLBACK;404', 'DYNAMIC_SERVER_USAGE'];
    for (const digest of digests) {
      logRequestError(Object.assign(new Error(digest), { digest }), request, context, logger);
    }
    expect(lines).toEqual([]);
  });
});

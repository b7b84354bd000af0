// Runs once when a server instance starts: the background jobs (exception
// expiry, scheduled reviews…) are worked from their queues inside the server,
// unless CUSTODIAN_JOBS=worker leaves them to `npm run worker`.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  // A deployment that requires signing does not run unsigned: no key, no start.
  const { requireSigningKey } = await import('./lib/audit/signing');
  requireSigningKey();
  const { startBackgroundJobs } = await import('./lib/jobs/runner');
  startBackgroundJobs();
  // SIGTERM: readiness fails, requests in flight and the running job finish, then the process exits.
  const { drainOnShutdown } = await import('./lib/ops/shutdown');
  drainOnShutdown();
}

/** Errors Next.js caught in a request (a page, a server action, a route handler) go to the JSON log with its id. */
export async function onRequestError(
  error: unknown,
  request: import('./lib/ops/request-log').FailedRequest,
  context: { routePath: string; routeType: string },
) {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { logRequestError } = await import('./lib/ops/request-log');
  logRequestError(error, request, context);
}

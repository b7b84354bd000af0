import { methodNotAllowed, problem } from '@/lib/http/problem';
import { readiness, type Readiness } from '@/lib/ops/readiness';

export const dynamic = 'force-dynamic';

/** Readiness, for load balancers and orchestrators: 503 until this instance can serve, and again while it drains. */
export async function GET() {
  const state = await readiness();
  if (!state.ready) return problem(503, notReadyBecause(state), { ...state });
  return Response.json({ status: 'ready', ...state }, { headers: { 'cache-control': 'no-store' } });
}

function notReadyBecause(state: Readiness): string {
  if (state.shuttingDown) return 'This instance is shutting down: it finishes what it holds and takes nothing new.';
  if (state.database === 'unreachable') return 'The database is unreachable.';
  if (state.pendingMigrations === null) return 'The build’s migrations are not where the server runs.';
  if (state.pendingMigrations > 0)
    return `${state.pendingMigrations} migration(s) not applied: run npm run db:migrate.`;
  return 'The audit signing key, required here, does not load: the server log says why.';
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };

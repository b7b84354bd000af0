import { checkDatabase } from '@/lib/db/health';
import { methodNotAllowed, problem } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** Liveness and database reachability, for load balancers and test runners. */
export async function GET() {
  const database = await checkDatabase();
  if (!database.ok) return problem(503, 'The database is unreachable.', { database });
  return Response.json({ status: 'ok', database });
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };

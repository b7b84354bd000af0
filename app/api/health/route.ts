import { checkDatabase } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

/** Liveness and database reachability, for load balancers and test runners. */
export async function GET() {
  const database = await checkDatabase();
  return Response.json({ status: database.ok ? 'ok' : 'degraded', database }, { status: database.ok ? 200 : 503 });
}

import { methodNotAllowed } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** Liveness: the process answers. Whether it can serve (database, migrations, key) is /api/ready's question. */
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };

import { json, readJsonBody } from '@/lib/http/api';
import { idempotencyKeyOf } from '@/lib/http/idempotency';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { decideIssuance } from '@/lib/issuance/decide';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/**
 * The issuance gate (scope decisions:check): may this workload be issued this credential, now? Allow or deny, each
 * recorded as an `issuance.decided` event; a retry with the same Idempotency-Key gets the first answer.
 */
export function POST(request: Request) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'decisions:check');
    const idempotencyKey = idempotencyKeyOf(request);
    if (idempotencyKey instanceof Response) return idempotencyKey;
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    return json(await decideIssuance(read.body, { record: true, token, idempotencyKey }));
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };

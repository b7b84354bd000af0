import 'server-only';
import { decideIssuance } from '@/lib/issuance/decide';
import { REQUEST_ID_HEADER } from '@/lib/ops/logger';
import { authenticate } from '@/lib/tokens/bearer';
import { json, readJsonBody } from './api';
import { idempotencyKeyOf } from './idempotency';
import { handleRoute } from './problem';

/** A decision's body is a few hundred bytes: anything past this is refused unread (413). */
export const DECISION_BODY_LIMIT = 64 * 1024;

/**
 * The issuance gate over HTTP (scope decisions:check): may this workload be issued this credential, now? Allow or
 * deny, each recorded as an `issuance.decided` event; a retry with the same Idempotency-Key gets the first answer.
 * The console's route and the gate's own server (./gate-server.ts) both answer with it.
 */
export function answerDecision(request: Request): Promise<Response> {
  return handleRoute(
    async () => {
      const token = await authenticate(request, 'decisions:check');
      const idempotencyKey = idempotencyKeyOf(request);
      if (idempotencyKey instanceof Response) return idempotencyKey;
      const read = await readJsonBody(request, DECISION_BODY_LIMIT);
      if (read instanceof Response) return read;
      return json(await decideIssuance(read.body, { record: true, token, idempotencyKey }));
    },
    request.headers.get(REQUEST_ID_HEADER) ?? undefined,
  );
}

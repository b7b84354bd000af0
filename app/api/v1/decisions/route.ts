import { answerDecision } from '@/lib/http/decisions';
import { methodNotAllowed } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** The issuance gate (lib/http/decisions.ts); brokers on the hot path may call the gate's own server instead. */
export function POST(request: Request) {
  return answerDecision(request);
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };

import 'server-only';
import { DomainError, Invalid } from '@/lib/errors';
import { logFailure } from '@/lib/ops/request-log';
import type { ActionState } from './action-state';

/** Runs a domain call for a server action and maps its outcome to the form's state: the one mapping for actions. */
export async function runAction(work: () => Promise<string>): Promise<ActionState> {
  try {
    return { ok: true, message: await work() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    if (error instanceof DomainError) return { ok: false, message: error.message };
    logFailure('server action failed', error);
    return { ok: false, message: 'Something went wrong on our side; nothing was changed. Try again.' };
  }
}

'use server';

import { readEventDetails, type EventDetailsData } from '@/lib/audit/event-details';
import { signCheckpointNow, verifyChainNow } from '@/lib/audit/integrity';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction, formQuery } from '@/lib/http/form-action';

export async function verifyChainAction(_: ActionState, formData: FormData) {
  return formAction(formData, async () => verifyChainNow(await getCurrentUser()));
}

export async function signCheckpointAction(_: ActionState, formData: FormData) {
  return formAction(formData, async () => signCheckpointNow(await getCurrentUser()));
}

/** The raw event behind a sentence, for its details dialog: lib/audit/event-details.ts decides who may read it. */
export async function eventDetailsAction(_: ActionState, formData: FormData) {
  return formQuery<EventDetailsData>(formData, async (input) => ({
    message: 'Loaded.',
    result: await readEventDetails(await getCurrentUser(), input),
  }));
}

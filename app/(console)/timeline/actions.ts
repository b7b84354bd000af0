'use server';

import { signCheckpointNow, verifyChainNow } from '@/lib/audit/integrity';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';

export async function verifyChainAction(_: ActionState, formData: FormData) {
  return formAction(formData, async () => verifyChainNow(await getCurrentUser()));
}

export async function signCheckpointAction(_: ActionState, formData: FormData) {
  return formAction(formData, async () => signCheckpointNow(await getCurrentUser()));
}

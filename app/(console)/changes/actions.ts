'use server';

import { getCurrentUser } from '@/lib/auth';
import { decideChangeRequest, withdrawChangeRequest } from '@/lib/change-requests/commands';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';

export async function decideChangeAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => decideChangeRequest(await getCurrentUser(), input));
}

export async function withdrawChangeAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => withdrawChangeRequest(await getCurrentUser(), input));
}

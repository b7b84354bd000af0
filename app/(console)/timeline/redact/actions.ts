'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { requestRedaction } from '@/lib/redactions/commands';

export async function requestRedactionAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => requestRedaction(await getCurrentUser(), input), ['pointers']);
}

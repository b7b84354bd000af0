'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { recomputeFindingsNow } from '@/lib/policy/trend';

export async function recomputeFindingsAction(_: ActionState, formData: FormData) {
  return formAction(formData, async () => recomputeFindingsNow(await getCurrentUser()));
}

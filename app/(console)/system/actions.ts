'use server';

import { checkRegistryNow } from '@/lib/audit/registry-check';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';

export async function checkRegistryAction(_: ActionState, formData: FormData) {
  return formAction(formData, async () => checkRegistryNow(await getCurrentUser()));
}

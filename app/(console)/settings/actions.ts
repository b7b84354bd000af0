'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { changeSetting } from '@/lib/settings/commands';

export async function changeSettingAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => changeSetting(await getCurrentUser(), input), [
    'ownerMayNotReviewTiers',
  ]);
}

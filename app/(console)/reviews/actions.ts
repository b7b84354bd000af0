'use server';

import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { closeCampaign, startCampaign } from '@/lib/reviews/campaigns';
import { assignReviewer, completeReview } from '@/lib/reviews/commands';
import { CAMPAIGN_LIST_FIELDS, REDUCTION_FIELDS } from '@/lib/reviews/schema';

export async function completeReviewAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => completeReview(await getCurrentUser(), input), REDUCTION_FIELDS);
}

export async function assignReviewerAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => assignReviewer(await getCurrentUser(), input));
}

export async function startCampaignAction(_: ActionState, formData: FormData) {
  let id = '';
  const state = await formAction(
    formData,
    async (input) => {
      const started = await startCampaign(await getCurrentUser(), input);
      id = started.id;
      return 'Started.';
    },
    CAMPAIGN_LIST_FIELDS,
  );
  if (state.ok) redirect(`/reviews/campaigns/${id}`);
  return state;
}

export async function closeCampaignAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => closeCampaign(await getCurrentUser(), input));
}

'use server';

import { getCurrentUser } from '@/lib/auth';
import { decideException, revokeException, withdrawException } from '@/lib/exceptions/commands';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';

export async function decideExceptionAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => {
    const { status, approvals } = await decideException(await getCurrentUser(), input);
    if (status === 'PENDING') return `Approval ${approvals} recorded: it needs one more distinct approver.`;
    return status === 'APPROVED' ? 'Approved: the exception is in force.' : 'Rejected.';
  });
}

export async function revokeExceptionAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => revokeException(await getCurrentUser(), input));
}

export async function withdrawExceptionAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => withdrawException(await getCurrentUser(), input));
}

'use server';

import { redirect } from 'next/navigation';
import { changeAgentStatus, registerAgent, updateAgent } from '@/lib/agents/commands';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { assignControlOwner, assignOwner } from '@/lib/ownership/commands';
import { addPurpose, approvePurpose, changePurpose, expirePurpose } from '@/lib/purposes/commands';

const LISTS = ['environments'];

export async function registerAgentAction(_: ActionState, formData: FormData): Promise<ActionState> {
  let slug = '';
  const state = await formAction(
    formData,
    async (input) => {
      slug = (await registerAgent(await getCurrentUser(), input)).slug;
      return 'Registered.';
    },
    LISTS,
  );
  if (state.ok) redirect(`/agents/${slug}`);
  return state;
}

export async function updateAgentAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => updateAgent(await getCurrentUser(), input), LISTS);
}

export async function changeAgentStatusAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => changeAgentStatus(await getCurrentUser(), input), LISTS);
}

export async function assignOwnerAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => assignOwner(await getCurrentUser(), input), LISTS);
}

export async function assignControlOwnerAction(_: ActionState, formData: FormData) {
  return formAction(
    formData,
    async (input) => (await assignControlOwner(await getCurrentUser(), input)).message,
    LISTS,
  );
}

export async function addPurposeAction(_: ActionState, formData: FormData) {
  return formAction(
    formData,
    async (input) => {
      await addPurpose(await getCurrentUser(), input);
      return 'Purpose added. A security lead approves it.';
    },
    LISTS,
  );
}

export async function approvePurposeAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => approvePurpose(await getCurrentUser(), input), LISTS);
}

export async function expirePurposeAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => expirePurpose(await getCurrentUser(), input), LISTS);
}

export async function changePurposeAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => changePurpose(await getCurrentUser(), input), LISTS);
}

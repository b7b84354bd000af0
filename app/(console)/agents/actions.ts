'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { changeAgentStatus, registerAgent, updateAgent } from '@/lib/agents/commands';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formToObject } from '@/lib/http/form-data';
import { runAction } from '@/lib/http/run-action';
import { assignControlOwner, assignOwner } from '@/lib/ownership/commands';
import { addPurpose, approvePurpose, changePurpose, expirePurpose } from '@/lib/purposes/commands';

const LISTS = ['environments'];

async function act(formData: FormData, work: (input: Record<string, unknown>) => Promise<string>): Promise<ActionState> {
  const state = await runAction(() => work(formToObject(formData, LISTS)));
  if (state.ok) revalidatePath('/agents', 'layout');
  return state;
}

export async function registerAgentAction(_: ActionState, formData: FormData): Promise<ActionState> {
  let slug = '';
  const state = await act(formData, async (input) => {
    slug = (await registerAgent(await getCurrentUser(), input)).slug;
    return 'Registered.';
  });
  if (state.ok) redirect(`/agents/${slug}`);
  return state;
}

export async function updateAgentAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => updateAgent(await getCurrentUser(), input));
}

export async function changeAgentStatusAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => changeAgentStatus(await getCurrentUser(), input));
}

export async function assignOwnerAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => assignOwner(await getCurrentUser(), input));
}

export async function assignControlOwnerAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => (await assignControlOwner(await getCurrentUser(), input)).message);
}

export async function addPurposeAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => {
    await addPurpose(await getCurrentUser(), input);
    return 'Purpose added. A security lead approves it.';
  });
}

export async function approvePurposeAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => approvePurpose(await getCurrentUser(), input));
}

export async function expirePurposeAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => expirePurpose(await getCurrentUser(), input));
}

export async function changePurposeAction(_: ActionState, formData: FormData) {
  return act(formData, async (input) => changePurpose(await getCurrentUser(), input));
}

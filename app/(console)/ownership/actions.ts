'use server';

import { revalidatePath } from 'next/cache';
import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formToObject } from '@/lib/http/form-data';
import { runAction } from '@/lib/http/run-action';
import { bulkReassign } from '@/lib/ownership/commands';

export async function bulkReassignAction(_: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction(async () => {
    const result = await bulkReassign(await getCurrentUser(), formToObject(formData, ['agentIds']));
    return `Moved: ${result.agentsReassigned} accountable ownership(s) and ${result.planesReassigned} control plane(s); ${result.events} events recorded.`;
  });
  if (state.ok) revalidatePath('/', 'layout');
  return state;
}

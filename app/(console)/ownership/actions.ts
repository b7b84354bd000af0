'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { bulkReassign } from '@/lib/ownership/commands';

export async function bulkReassignAction(_: ActionState, formData: FormData): Promise<ActionState> {
  return formAction(
    formData,
    async (input) => {
      const result = await bulkReassign(await getCurrentUser(), input);
      return (
        `Moved: ${result.agentsReassigned} accountable ownership(s) and ${result.planesReassigned} control ` +
        `plane(s); ${result.events} events recorded.`
      );
    },
    ['agentIds'],
  );
}

'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { deactivateUser, grantRole, reactivateUser, removeRole } from '@/lib/users/commands';

type Command = (actor: Awaited<ReturnType<typeof getCurrentUser>>, input: unknown) => Promise<string>;

async function act(command: Command, formData: FormData): Promise<ActionState> {
  return formAction(formData, async (input) => command(await getCurrentUser(), input));
}

export async function grantRoleAction(_: ActionState, formData: FormData) {
  return act(grantRole, formData);
}

export async function removeRoleAction(_: ActionState, formData: FormData) {
  return act(removeRole, formData);
}

export async function deactivateUserAction(_: ActionState, formData: FormData) {
  return act(deactivateUser, formData);
}

export async function reactivateUserAction(_: ActionState, formData: FormData) {
  return act(reactivateUser, formData);
}

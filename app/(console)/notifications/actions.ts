'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { createEndpoint, resendNotification, setPreferences, updateEndpoint } from '@/lib/notifications/commands';

export async function resendNotificationAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => resendNotification(await getCurrentUser(), input));
}

export async function setPreferencesAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => setPreferences(await getCurrentUser(), input), ['email']);
}

export async function createEndpointAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => createEndpoint(await getCurrentUser(), input), ['kinds']);
}

export async function updateEndpointAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => updateEndpoint(await getCurrentUser(), input), ['kinds']);
}

'use server';

import { getCurrentUser } from '@/lib/auth';
import type { ActionState } from '@/lib/http/action-state';
import { formAction } from '@/lib/http/form-action';
import { createToken, revokeToken } from '@/lib/tokens/commands';

export type CreateTokenState = ActionState & { token?: string };

/** The new token comes back once, in this response, for the person to copy; it is never stored or shown again. */
export async function createTokenAction(_: CreateTokenState, formData: FormData): Promise<CreateTokenState> {
  let token: string | undefined;
  const state = await formAction(
    formData,
    async (input) => {
      token = (await createToken(await getCurrentUser(), input)).token;
      return 'Created. Copy the token now: Custodian keeps only its hash and will not show it again.';
    },
    ['scopes'],
  );
  return state.ok ? { ...state, token } : state;
}

export async function revokeTokenAction(_: ActionState, formData: FormData) {
  return formAction(formData, async (input) => revokeToken(await getCurrentUser(), input));
}

import 'server-only';
import { revalidatePath } from 'next/cache';
import { SECRET_REFUSAL } from '@/lib/secrets/read-input';
import type { ActionState } from './action-state';
import { formToObject } from './form-data';
import { runAction } from './run-action';

/**
 * The body of every server action: the form as a plain object for the domain
 * function, its outcome as the form's state, and the console re-rendered after
 * a change (the navigation counts move too).
 */
export async function formAction(
  formData: FormData,
  work: (input: Record<string, unknown>) => Promise<string>,
  lists: readonly string[] = [],
): Promise<ActionState> {
  // A hand-made action call can bind something other than the form (React decodes whatever list it is sent).
  if (!(formData instanceof FormData)) {
    return { ok: false, message: 'This action takes a form: submit it from its page.', attempt: Date.now() };
  }
  const input = formToObject(formData, lists);
  const state = await runAction(() => work(input));
  if (state.ok) {
    revalidatePath('/', 'layout');
    return state;
  }
  const refused = Object.entries(state.fieldErrors ?? {}).flatMap(([field, errors]) =>
    errors?.includes(SECRET_REFUSAL) ? [field] : [],
  );
  // A refused value never goes back to the page: not its field (`scopes.0` is in `scopes`), and when a field name
  // itself was the secret, no value at all.
  if (refused.some((field) => field.split('.').includes('(field name)')))
    return { ...state, attempt: Date.now(), values: {} };
  const top = new Set(refused.map((field) => field.split('.')[0]!));
  return {
    ...state,
    attempt: Date.now(),
    values: Object.fromEntries(Object.entries(input).filter(([field]) => !top.has(field))),
  };
}

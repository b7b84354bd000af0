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
  const input = formToObject(formData, lists);
  const state = await runAction(() => work(input));
  if (state.ok) {
    revalidatePath('/', 'layout');
    return state;
  }
  const refused = new Set(
    Object.entries(state.fieldErrors ?? {}).flatMap(([field, errors]) =>
      errors?.includes(SECRET_REFUSAL) ? [field] : [],
    ),
  );
  return {
    ...state,
    attempt: Date.now(),
    values: Object.fromEntries(Object.entries(input).filter(([field]) => !refused.has(field))),
  };
}

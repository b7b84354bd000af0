import 'server-only';
import { revalidatePath } from 'next/cache';
import { rememberOwnWrite } from '@/lib/db/replica';
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
  if (!(formData instanceof FormData)) return notAForm();
  const input = formToObject(formData, lists);
  const state = await runAction(() => work(input));
  if (state.ok) {
    await rememberOwnWrite();
    revalidatePath('/', 'layout');
    return state;
  }
  return { ...state, attempt: Date.now(), values: keptValues(state, input) };
}

/**
 * A server action that asks rather than changes (a dry run): its answer comes back with the form's state, nothing
 * is revalidated, and the form keeps what was typed either way.
 */
export async function formQuery<T>(
  formData: FormData,
  work: (input: Record<string, unknown>) => Promise<{ message: string; result: T }>,
): Promise<ActionState & { result?: T }> {
  if (!(formData instanceof FormData)) return notAForm();
  const input = formToObject(formData);
  let result: T | undefined;
  const state = await runAction(async () => {
    const answer = await work(input);
    result = answer.result;
    return answer.message;
  });
  return { ...state, result, attempt: Date.now(), values: keptValues(state, input) };
}

/** A hand-made action call can bind something other than the form (React decodes whatever list it is sent). */
function notAForm(): ActionState {
  return { ok: false, message: 'This action takes a form: submit it from its page.', attempt: Date.now() };
}

/** What goes back to the form: never a refused secret's field (`scopes.0` is in `scopes`), nor any value when a
 * field name itself was the secret. */
function keptValues(state: ActionState, input: Record<string, unknown>): Record<string, unknown> {
  const refused = Object.entries(state.fieldErrors ?? {}).flatMap(([field, errors]) =>
    errors?.includes(SECRET_REFUSAL) ? [field] : [],
  );
  if (refused.some((field) => field.split('.').includes('(field name)'))) return {};
  const top = new Set(refused.map((field) => field.split('.')[0]!));
  return Object.fromEntries(Object.entries(input).filter(([field]) => !top.has(field)));
}

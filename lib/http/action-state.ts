// What a server action returns to its form: a thrown error in a server action
// reaches the browser as a redacted 500, so domain errors come back here.
export type ActionState = {
  ok: boolean;
  message: string | null;
  fieldErrors?: Record<string, string[] | undefined>;
  /**
   * What was submitted, returned on failure so the form keeps the person's
   * input (React resets a form after its action). Never a refused secret.
   */
  values?: Record<string, unknown>;
  /** Changes on every failed submission: forms key on it to remount with `values` (selects ignore a reset). */
  attempt?: number;
};

/** The submitted value of a field after a failed action, else the fallback. */
export function submitted<T>(state: ActionState, name: string, fallback: T): T | string | string[] {
  const value = state.values?.[name];
  return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : fallback;
}

export const INITIAL_ACTION_STATE: ActionState = { ok: false, message: null };

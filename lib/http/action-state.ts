// What a server action returns to its form: a thrown error in a server action
// reaches the browser as a redacted 500, so domain errors come back here.
export type ActionState = {
  ok: boolean;
  message: string | null;
  fieldErrors?: Record<string, string[] | undefined>;
};

export const INITIAL_ACTION_STATE: ActionState = { ok: false, message: null };

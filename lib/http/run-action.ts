import 'server-only';
import { z } from 'zod';
import { DomainError, Invalid } from '@/lib/authz';
import type { ActionState } from './action-state';

/** Runs a domain call for a server action and maps its outcome to the form's state. */
export async function runAction(work: () => Promise<string>): Promise<ActionState> {
  try {
    return { ok: true, message: await work() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message, fieldErrors: error.fieldErrors };
    if (error instanceof DomainError) return { ok: false, message: error.message };
    console.error('server action failed', error);
    return { ok: false, message: 'Something went wrong on our side; nothing was changed. Try again.' };
  }
}

/** Parses input with its schema or throws Invalid with field-level messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[] | undefined>;
    const first = Object.entries(fieldErrors).find(([, messages]) => messages?.length)?.[1]?.[0];
    throw new Invalid(first ? `Check the form: ${first}` : 'The input is not valid.', fieldErrors);
  }
  return parsed.data;
}

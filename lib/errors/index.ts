import { z } from 'zod';

// The domain errors. Each carries its HTTP status; `problemFrom` (lib/http)
// maps them for every route handler and `runAction` for every server action.
export class DomainError extends Error {
  readonly status: number = 500;
}

export class Unauthenticated extends DomainError {
  override readonly status = 401;
  constructor(message = 'Sign in to continue.') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  override readonly status = 403;
}

export class NotFound extends DomainError {
  override readonly status = 404;
}

export class Conflict extends DomainError {
  override readonly status = 409;
  constructor(message = 'This record was changed by someone else. Reload it and try again.') {
    super(message);
  }
}

/** A write against a version that is no longer current: 409 in the console, 412 to an API client's If-Match. */
export class StaleVersion extends Conflict {}

/** Input that fails validation: the message, and field-level messages for forms and problem JSON. */
export class Invalid extends DomainError {
  override readonly status = 422;
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[] | undefined> = {},
  ) {
    super(message);
  }
}

export class TooManyRequests extends DomainError {
  override readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Parses input with its schema or throws Invalid with field-level messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const flat = z.flattenError(parsed.error);
    // Errors about the whole input (an unknown key) are kept under the empty path, so an API names them too.
    const fieldErrors = {
      ...(flat.formErrors.length ? { '': flat.formErrors } : {}),
      ...(flat.fieldErrors as Record<string, string[] | undefined>),
    };
    const first = Object.entries(fieldErrors).find(([, messages]) => messages?.length)?.[1]?.[0];
    throw new Invalid(first ? `Check the form: ${first}` : 'The input is not valid.', fieldErrors);
  }
  return parsed.data;
}

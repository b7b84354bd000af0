// The domain errors, mapped once to UI messages and to RFC 9457 problem JSON.
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

export class Invalid extends DomainError {
  override readonly status = 422;
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[] | undefined> = {},
  ) {
    super(message);
  }
}

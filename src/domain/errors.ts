/**
 * The domain's typed errors. Each transport maps them in exactly one place (REST statuses in
 * `src/rest`, GraphQL codes in `src/graphql`); anything else is unexpected, logged and masked.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

export type DomainErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'rate_limited'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'unavailable';

/** One broken input rule: where (`['name']`, `['password']`), what, and a machine-readable type. */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** FastAPI/pydantic-style type, e.g. `string_too_short`, `missing`, `value_error`. */
  readonly type: string;
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly kind = 'validation';
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  }
}

/** No credentials, bad credentials, or a token that is missing, expired or forged. */
export class UnauthenticatedError extends DomainError {
  override readonly name = 'UnauthenticatedError';
  readonly kind = 'unauthenticated';
}

/** Too many failed password checks for one username: none is checked until the window ends. */
export class RateLimitedError extends DomainError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed attempts for this account; try again later');
  }
}

/** Missing, or not the caller's: existence of others' data is never revealed. */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly kind = 'not_found';
}

/** The item is missing, or not the caller's. */
export class ItemNotFoundError extends NotFoundError {
  constructor() {
    super('Item not found');
  }
}

/** The username is taken (case-insensitively). */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly kind = 'conflict';
}

/** A conditional write whose expected version is stale: nothing was changed. */
export class PreconditionFailedError extends DomainError {
  override readonly name = 'PreconditionFailedError';
  readonly kind = 'precondition_failed';
}

/** The database is unreachable or throttling past its retries; the client may retry later. */
export class UnavailableError extends DomainError {
  override readonly name = 'UnavailableError';
  readonly kind = 'unavailable';
  constructor(
    message = 'Service temporarily unavailable',
    readonly retryAfterSeconds = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

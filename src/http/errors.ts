/**
 * What can go wrong with a request before any transport has understood it. Each transport's
 * error boundary answers these in its own shape (REST's `{detail, request_id}`, GraphQL's
 * `{errors}`).
 */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`Request body over ${limitBytes} bytes`);
  }
}

/** No route has this path. */
export class RouteNotFoundError extends Error {
  override readonly name = 'RouteNotFoundError';
  constructor(message = 'Not Found') {
    super(message);
  }
}

/** The path exists, the method does not. */
export class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  constructor(
    message: string,
    /** The `Allow` header's value. */
    readonly allow: string,
  ) {
    super(message);
  }
}

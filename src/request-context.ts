import type { Caller } from './domain/entities.js';
import type { Services } from './domain/services.js';
import type { HttpRequest, RequestOutcome } from './http/request.js';
import type { Logger } from './logger.js';

/**
 * What a REST handler or a GraphQL resolver works with, built once per request (see
 * `composition-root.ts`). Nothing in it outlives the request, so two callers served by one
 * warm container never share loaded data.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly logger: Logger;
  /** Fresh per request, over fresh DataLoaders. */
  readonly services: Services;
  /** The caller from `Authorization: Bearer` (no database call), memoized; throws `UnauthenticatedError`. */
  caller(): Caller;
}

/**
 * Builds a request's context; the caller it authenticates is recorded in `outcome` for the access
 * log. It reads only the request's id and headers, so that a subscription's event (which has no
 * HTTP request) gets a context too.
 */
export type RequestContextFactory = (
  request: Pick<HttpRequest, 'requestId' | 'header'>,
  outcome: RequestOutcome,
) => RequestContext;

import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import {
  DomainError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
  type DomainErrorKind,
} from '../domain/errors.js';
import type { ApiResult } from '../http/api-gateway.js';
import { MethodNotAllowedError, PayloadTooLargeError } from '../http/errors.js';
import { jsonResponse } from '../http/responses.js';
import { errorFields, type Logger } from '../logger.js';
import type { GraphQLContext } from './context.js';

/**
 * The one place where errors become GraphQL errors, whether Apollo reports them (resolvers,
 * validation, limits, cost: `formatError` and the plugin below) or the request never reached
 * Apollo (a body over the limit, one that is not JSON: `graphqlErrorResult`). Domain errors
 * get a code from the contract's fixed set, with the meaning of the REST status; errors about
 * the request itself are the client's bad input: `BAD_USER_INPUT`, with Apollo's own code as
 * `reason`; anything else is a bug: logged with the request id, masked for the client.
 *
 * Only types are imported from graphql and Apollo: this module loads with the app, before the
 * first GraphQL request loads them.
 */

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODE_OF_KIND: Record<DomainErrorKind, ErrorCode> = {
  validation: ErrorCode.BAD_USER_INPUT,
  unauthenticated: ErrorCode.UNAUTHENTICATED,
  // Not a code of its own in the contract's fixed set: the sign-in is refused, and says when to retry.
  rate_limited: ErrorCode.UNAUTHENTICATED,
  not_found: ErrorCode.NOT_FOUND,
  conflict: ErrorCode.CONFLICT,
  precondition_failed: ErrorCode.PRECONDITION_FAILED,
  unavailable: ErrorCode.SERVICE_UNAVAILABLE,
};

export const MASKED_MESSAGE = 'Internal server error';

/** The request's body or query string could not be read as a GraphQL request. */
export class MalformedGraphQLRequestError extends Error {
  override readonly name = 'MalformedGraphQLRequestError';
  constructor(
    message: string,
    /** Apollo-style code for tooling, kept as `extensions.reason`. */
    readonly reason: 'INVALID_JSON' | 'BAD_REQUEST',
  ) {
    super(message);
  }
}

/** Apollo's `formatError`: every error of every response passes through here. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const { message, locations, path } = formatted;
  const original = originalError(error);
  if (original instanceof DomainError) {
    return { message: original.message, locations, path, extensions: domainExtensions(original) };
  }
  if (isUnexpected(error, formatted)) {
    return {
      message: MASKED_MESSAGE,
      locations,
      path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
  return { message, locations, path, extensions: requestErrorExtensions(formatted.extensions) };
}

/**
 * A failure before Apollo could take the request: a GraphQL-shaped answer, never the plain
 * text the Lambda integration would give.
 */
export function graphqlErrorResult(error: unknown, requestId: string, logger: Logger): ApiResult {
  const refuse = (status: number, message: string, reason: string, headers?: Record<string, string>) =>
    jsonResponse(
      status,
      { errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT, reason } }] },
      headers,
    );
  if (error instanceof PayloadTooLargeError) return refuse(413, error.message, 'PAYLOAD_TOO_LARGE');
  if (error instanceof MethodNotAllowedError) {
    return refuse(405, error.message, 'METHOD_NOT_ALLOWED', { allow: error.allow });
  }
  if (error instanceof MalformedGraphQLRequestError) return refuse(400, error.message, error.reason);
  logger.error('unexpected GraphQL request failure', { requestId, ...errorFields(error) });
  return jsonResponse(500, {
    errors: [{ message: MASKED_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }],
  });
}

/** The contract's code for an error about the request itself; Apollo's code becomes the reason. */
function requestErrorExtensions(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { code, stacktrace: _stacktrace, exception: _exception, ...rest } = extensions ?? {};
  return { ...rest, code: ErrorCode.BAD_USER_INPUT, ...(typeof code === 'string' ? { reason: code } : {}) };
}

function domainExtensions(error: DomainError): Record<string, unknown> {
  const code = CODE_OF_KIND[error.kind];
  if (error instanceof ValidationError) return { code, issues: error.issues };
  if (error instanceof UnavailableError) return { code, retryAfterSeconds: error.retryAfterSeconds };
  if (error instanceof RateLimitedError) {
    return { code, reason: 'TOO_MANY_FAILED_ATTEMPTS', retryAfterSeconds: error.retryAfterSeconds };
  }
  return { code };
}

/** What both a GraphQLError and its formatted form tell about where an error arose. */
interface ErrorShape {
  readonly path?: readonly (string | number)[] | undefined;
  readonly extensions?: { readonly code?: unknown } | undefined;
  readonly originalError?: unknown;
}

const shapeOf = (error: unknown): ErrorShape => (typeof error === 'object' && error !== null ? error : {});

/**
 * The error a resolver threw, unwrapped from the GraphQLError graphql wraps it in (Apollo's
 * `unwrapResolverError`, read by shape: a test runner may load a second copy of `graphql`).
 */
function originalError(error: unknown): unknown {
  const shape = shapeOf(error);
  return shape.path && shape.originalError ? shape.originalError : error;
}

/**
 * A request error is one GraphQL or Apollo raised before execution (no `path`) with a code of
 * its own; everything raised while executing that is not a domain error is unexpected.
 */
function isUnexpected(error: unknown, shape: ErrorShape = shapeOf(error)): boolean {
  if (originalError(error) instanceof DomainError) return false;
  const code = shape.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
  return shape.path !== undefined || code === ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Logs what `formatError` masks, with the request id the client also gets (in
 * `extensions.requestId` and the `X-Request-ID` header) so a report can be traced to its log.
 * Also sets `Retry-After` when the database was unavailable or a sign-in is throttled.
 */
export function errorReportingPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      // Without a context (its creation is what failed) there is no request id to quote.
      const requestId = (requestContext.contextValue as GraphQLContext | undefined)?.requestId;
      logger.error('unexpected GraphQL request failure', { requestId, ...errorFields(error) });
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isUnexpected(error)) continue;
            logger.error('unexpected GraphQL error', {
              requestId: contextValue.requestId,
              path: error.path?.join('.'),
              ...errorFields(originalError(error)),
            });
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const result = response.body.singleResult;
          result.errors = result.errors?.map((e) =>
            e.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR
              ? { ...e, extensions: { ...e.extensions, requestId: contextValue.requestId } }
              : e,
          );
          // As the REST API's 503 and 429 do.
          const retryAfter = result.errors?.find((e) => typeof e.extensions?.retryAfterSeconds === 'number')
            ?.extensions?.retryAfterSeconds;
          if (typeof retryAfter === 'number') response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}

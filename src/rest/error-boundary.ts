import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../domain/errors.js';
import type { ApiResult } from '../http/api-gateway.js';
import { MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError } from '../http/errors.js';
import { jsonResponse } from '../http/responses.js';
import { errorFields, type Logger } from '../logger.js';

/** Where a bad value was found, as FastAPI's `loc` starts. */
export type InputLocation = 'body' | 'query' | 'path' | 'header';

/** One entry of FastAPI's 422 `detail` array. */
export interface ValidationDetail {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** Where a route reads each input the domain validates, so a 422 can say where a bad value was. */
export interface InputSources {
  /** Of every field not listed in `fields`, and of the input as a whole. */
  readonly from: InputLocation;
  /** Inputs read elsewhere, by the domain's field name: where, and the name the client sent. */
  readonly fields?: Readonly<Record<string, readonly [InputLocation, string]>>;
}

/** The request's syntax is wrong before the domain sees it (malformed JSON, an unusable header). */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(readonly details: readonly ValidationDetail[]) {
    super(details.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '));
  }
}

/** Every 401 tells the client how to authenticate (RFC 6750). */
const WWW_AUTHENTICATE = { 'www-authenticate': 'Bearer' };

const MASKED_DETAIL = 'Internal server error';

/** The body every REST error uses: FastAPI's `detail` plus the request id to quote. */
function errorResponse(
  statusCode: number,
  detail: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): ApiResult {
  return jsonResponse(statusCode, { detail, request_id: requestId }, headers);
}

/**
 * The one place where REST (and the static pages, and the local server's own failures) turn
 * an error into a response. Errors written for clients keep their message; anything else is
 * logged with the request id and masked as a 500.
 */
export function restErrorResult(
  error: unknown,
  requestId: string,
  logger: Logger,
  sources: InputSources = { from: 'body' },
): ApiResult {
  const fail = (status: number, detail: unknown, headers?: Record<string, string>) =>
    errorResponse(status, detail, requestId, headers);

  if (error instanceof RequestValidationError) return fail(422, error.details);
  if (error instanceof ValidationError) return fail(422, located(error, sources));
  if (error instanceof UnauthenticatedError) return fail(401, error.message, WWW_AUTHENTICATE);
  if (error instanceof RateLimitedError) {
    return fail(429, error.message, { 'retry-after': String(error.retryAfterSeconds) });
  }
  if (error instanceof NotFoundError || error instanceof RouteNotFoundError) return fail(404, error.message);
  // The legacy status and message, which existing clients check.
  if (error instanceof ConflictError) return fail(400, 'Username already registered');
  if (error instanceof PreconditionFailedError) return fail(412, error.message);
  if (error instanceof MethodNotAllowedError) return fail(405, error.message, { allow: error.allow });
  if (error instanceof PayloadTooLargeError) return fail(413, error.message);
  if (error instanceof UnavailableError) {
    return fail(503, 'Service temporarily unavailable, retry later', {
      'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))),
    });
  }
  logger.error('unexpected error', { requestId, ...errorFields(error) });
  return fail(500, MASKED_DETAIL);
}

function located(error: ValidationError, sources: InputSources): ValidationDetail[] {
  return error.issues.map((issue) => {
    const [field, ...rest] = issue.path;
    const elsewhere = typeof field === 'string' ? sources.fields?.[field] : undefined;
    const loc = elsewhere ? [...elsewhere, ...rest] : [sources.from, ...issue.path];
    return { loc, msg: issue.message, type: issue.type };
  });
}

import {
  ConflictError,
  DomainError,
  NotFoundError,
  PreconditionFailedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../domain/errors.js';
import type { ApiResult } from '../http/api-gateway.js';
import { errorResponse } from '../http/responses.js';
import { errorFields } from '../logger.js';
import type { RequestContext } from '../request-context.js';
import { RequestValidationError, type ValidationDetail } from './validation.js';

/** Every 401 tells the client how to authenticate (RFC 6750). */
export const WWW_AUTHENTICATE = { 'www-authenticate': 'Bearer' };

// The domain names a list's inputs without saying they came from the query string.
const QUERY_FIELDS = new Set(['limit', 'cursor']);

/**
 * The one place where REST turns errors into statuses. Domain errors keep their message (it is
 * written for clients); anything else is logged with the request id and masked as a 500.
 */
export function errorResult(error: unknown, context: RequestContext): ApiResult {
  const { requestId } = context;
  if (error instanceof RequestValidationError) return errorResponse(422, error.details, requestId);
  if (error instanceof DomainError) {
    if (error instanceof ValidationError) return errorResponse(422, domainDetails(error), requestId);
    if (error instanceof UnauthenticatedError)
      return errorResponse(401, error.message || 'Not authenticated', requestId, WWW_AUTHENTICATE);
    if (error instanceof NotFoundError) return errorResponse(404, error.message || 'Not found', requestId);
    // The legacy status and message, which existing clients check.
    if (error instanceof ConflictError) return errorResponse(400, 'Username already registered', requestId);
    if (error instanceof PreconditionFailedError)
      return errorResponse(412, error.message || 'Precondition failed', requestId);
    if (error instanceof UnavailableError)
      return errorResponse(503, 'Service temporarily unavailable, retry later', requestId, {
        'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))),
      });
  }
  context.logger.error('unexpected error', { requestId, ...errorFields(error) });
  return errorResponse(500, 'Internal server error', requestId);
}

function domainDetails(error: ValidationError): ValidationDetail[] {
  return error.issues.map((issue) => {
    const field = issue.path[0];
    const location = typeof field === 'string' && QUERY_FIELDS.has(field) ? 'query' : 'body';
    return { loc: [location, ...issue.path], msg: issue.message, type: issue.type };
  });
}

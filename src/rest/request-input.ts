import { PreconditionFailedError } from '../domain/errors.js';
import { parseBody, type BodyMediaType } from '../http/body.js';
import { redactSecretFields } from '../log-redaction.js';
import type { HttpRequest } from '../http/request.js';
import { RequestValidationError } from './error-boundary.js';

/**
 * What a REST handler reads from the HTTP request before the domain validates it: the body's
 * syntax and the headers' syntax. The values themselves are the domain's to check.
 */

/** The body as a value for the domain, or a 422 saying why there is none. */
export function bodyOf(request: HttpRequest, accepted: readonly BodyMediaType[] = ['json']): unknown {
  const parsed = parseBody(request.event, accepted);
  if (parsed.ok) {
    // Before anything can fail and be logged: a password or token in the body never reaches a log line.
    redactSecretFields(parsed.value);
    return parsed.value;
  }
  switch (parsed.reason) {
    case 'missing':
      throw new RequestValidationError([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
    case 'json_invalid':
      throw new RequestValidationError([
        { loc: ['body'], msg: `JSON decode error: ${parsed.message}`, type: 'json_invalid' },
      ]);
    case 'unsupported_media_type':
      throw new RequestValidationError([
        {
          loc: ['header', 'content-type'],
          msg: `Content-Type must be application/json (got "${parsed.contentType}")`,
          type: 'content_type',
        },
      ]);
  }
}

/** The account routes' fields: the domain's name → REST's (snake_case, as FastAPI's were). */
export const ACCOUNT_FIELDS = {
  refreshToken: 'refresh_token',
  currentPassword: 'current_password',
  newPassword: 'new_password',
} as const;

/**
 * A JSON object's fields under the domain's names (`{refreshToken: 'refresh_token'}`): REST
 * spells them as FastAPI did. Anything else is passed on as it is, for the domain to refuse.
 */
export function renamed(body: unknown, fields: Readonly<Record<string, string>>): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const source = body as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(fields).map(([domainName, restName]) => [domainName, source[restName]]),
  );
}

const IF_MATCH_UNMATCHED = 'If-Match matches no current version of the item';

/**
 * `If-Match` as the version a write expects. `"3"` → 3; `*` (any current version) and no
 * header → unconditional. A weak tag (`W/"3"`) or a tag no version ever had (`"0"`, `"x"`)
 * can match no current item (RFC 9110 compares If-Match strongly): 412 without a write.
 * Anything that is not an entity tag is the client's bad input.
 */
export function ifMatchVersion(request: HttpRequest): number | undefined {
  const value = request.header('if-match');
  if (value === undefined || value.trim() === '*') return undefined;
  const tag = /^\s*(W\/)?"([^"]*)"\s*$/.exec(value);
  if (!tag) {
    throw new RequestValidationError([
      {
        loc: ['header', 'if-match'],
        msg: 'If-Match should be one ETag from an item response, like "3" (quotes included)',
        type: 'value_error',
      },
    ]);
  }
  const version = /^\d{1,15}$/.test(tag[2] ?? '') ? Number(tag[2]) : 0;
  if (tag[1] || version < 1) throw new PreconditionFailedError(IF_MATCH_UNMATCHED);
  return version;
}

import { header, type ApiEvent, type ApiResult } from '../http/api-gateway.js';
import { jsonResponse } from '../http/responses.js';
import { ErrorCode } from './errors.js';

/**
 * The Lambda integration parses a JSON body itself and answers a parse failure with a
 * plain-text 400. Checked first, the same failure gets a GraphQL-shaped JSON answer that says
 * what was wrong; anything else is left to Apollo (undefined).
 */
export function malformedJsonResponse(event: ApiEvent): ApiResult | undefined {
  // The integration's own test: only these bodies does it JSON.parse.
  if (!event.body || !header(event, 'content-type')?.startsWith('application/json')) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const reason = error instanceof SyntaxError ? `: ${error.message}` : '';
    return jsonResponse(400, {
      errors: [
        {
          message: `The request body is not valid JSON${reason}`,
          extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'INVALID_JSON' },
        },
      ],
    });
  }
}

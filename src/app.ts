import type { ApiEvent, ApiHandler, ApiResult } from './http/api-gateway.js';
import { MAX_REQUEST_BODY_BYTES, requestBodyBytes } from './http/body.js';
import { corsHeaders, preflightResponse, type AllowedOrigins } from './http/cors.js';
import { PayloadTooLargeError } from './http/errors.js';
import { canonicalPath, GRAPHQL_PATH } from './http/paths.js';
import { readRequest, type HttpRequest, type RequestOutcome } from './http/request.js';
import type { Transport } from './http/transport.js';
import { withRedactionScope } from './log-redaction.js';
import type { Logger } from './logger.js';
import { isStaticPath } from './static/static-routes.js';

export interface AppParts {
  readonly allowedOrigins: AllowedOrigins;
  readonly logger: Logger;
  readonly transports: { readonly static: Transport; readonly rest: Transport; readonly graphql: Transport };
}

/**
 * The one router, in Lambda and on the local server alike: every request is read once, then
 * preflight and the body limit, then one of three siblings — static assets, `/graphql`, or
 * REST (whose route table also answers the 404 of an unknown path). Whatever a transport
 * throws is answered by that transport's own error boundary; CORS, the request id and the
 * access log wrap every answer.
 */
export function createApp({ allowedOrigins, logger, transports }: AppParts): ApiHandler {
  const transportFor = (request: HttpRequest): Transport => {
    const path = canonicalPath(request.path);
    if (path === GRAPHQL_PATH) return transports.graphql;
    return isStaticPath(path) ? transports.static : transports.rest;
  };

  // Each request in a log-redaction scope of its own: see log-redaction.ts.
  return (event) => withRedactionScope(() => serve(event));

  async function serve(event: ApiEvent): Promise<ApiResult> {
    const request = readRequest(event);
    const origin = request.header('origin');
    const outcome: RequestOutcome = {};
    let result: ApiResult;
    if (request.method === 'OPTIONS') {
      result = preflightResponse(allowedOrigins, origin);
    } else {
      const transport = transportFor(request);
      try {
        // Before any transport reads it, so REST and /graphql refuse big bodies alike.
        if (requestBodyBytes(event) > MAX_REQUEST_BODY_BYTES)
          throw new PayloadTooLargeError(MAX_REQUEST_BODY_BYTES);
        result = await transport.serve(request, outcome);
      } catch (error) {
        result = transport.fail(error, request, outcome);
      }
    }
    result.headers = withHeaders(result.headers, {
      ...corsHeaders(allowedOrigins, origin),
      'x-request-id': request.requestId,
    });
    logger.info('request', {
      requestId: request.requestId,
      method: request.method,
      route: outcome.route ?? null,
      path: request.path,
      status: result.statusCode,
      durationMs: Math.round((performance.now() - request.startedAt) * 100) / 100,
      ...(outcome.userId ? { userId: outcome.userId } : {}),
    });
    return result;
  }
}

/** Adds headers to a result; `Vary` lists are merged, since assets vary by encoding and CORS by origin. */
function withHeaders(headers: ApiResult['headers'], added: Record<string, string>): ApiResult['headers'] {
  const merged = { ...headers, ...added };
  if (headers?.vary === undefined || added.vary === undefined) return merged;
  const vary = new Set(
    [headers?.vary, added.vary]
      .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
      .map((v) => v.trim()),
  );
  vary.delete('');
  if (vary.size > 0) merged.vary = [...vary].join(', ');
  return merged;
}

import type { ApiEvent, ApiHandler, ApiResult } from './http/api-gateway.js';
import { MAX_REQUEST_BODY_BYTES, requestBodyBytes } from './http/body.js';
import { corsHeaders, preflightResponse, type AllowedOrigins } from './http/cors.js';
import { PayloadTooLargeError } from './http/errors.js';
import { canonicalPath, isGraphQLPath } from './http/paths.js';
import { readRequest, type HttpRequest, type RequestOutcome } from './http/request.js';
import type { Transport } from './http/transport.js';
import { withRedactionScope } from './log-redaction.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './observability/metrics.js';
import { answeredRequest, routeLabel } from './observability/request-metrics.js';
import { traceRequest } from './observability/tracing.js';
import { isStaticPath } from './static/static-routes.js';

export interface AppParts {
  readonly allowedOrigins: AllowedOrigins;
  readonly logger: Logger;
  /** Flushed once per request: its `Requests` and `Latency`, and whatever was counted meanwhile. */
  readonly metrics: ServiceMetrics;
  readonly transports: { readonly static: Transport; readonly rest: Transport; readonly graphql: Transport };
}

/**
 * The one router, in Lambda and on the local server alike: every request is read once, then
 * preflight and the body limit, then one of three siblings — static assets, `/graphql`, or
 * REST (whose route table also answers the 404 of an unknown path). Whatever a transport
 * throws is answered by that transport's own error boundary; CORS, the request id, the access
 * log and the metrics wrap every answer (and, with TRACING=full, an X-Ray subsegment).
 */
export function createApp({ allowedOrigins, logger, metrics, transports }: AppParts): ApiHandler {
  const transportFor = (request: HttpRequest): Transport => {
    const path = canonicalPath(request.path);
    if (isGraphQLPath(path)) return transports.graphql;
    return isStaticPath(path) ? transports.static : transports.rest;
  };

  // Each request in a log-redaction scope of its own: see log-redaction.ts.
  return (event) => withRedactionScope(() => serve(event));

  async function serve(event: ApiEvent): Promise<ApiResult> {
    const request = readRequest(event);
    const outcome: RequestOutcome = {};
    const result = await traceRequest(
      () => answer(request, outcome),
      (answered) => ({
        requestId: request.requestId,
        route: routeLabel(request.method, outcome.route),
        userId: outcome.userId,
        statusCode: answered?.statusCode,
      }),
    );
    result.headers = withHeaders(result.headers, {
      ...corsHeaders(allowedOrigins, request.header('origin')),
      'x-request-id': request.requestId,
    });
    const durationMs = Math.round((performance.now() - request.startedAt) * 100) / 100;
    logger.info('request', {
      requestId: request.requestId,
      method: request.method,
      route: outcome.route ?? null,
      path: request.path,
      status: result.statusCode,
      durationMs,
      ...(outcome.userId ? { userId: outcome.userId } : {}),
    });
    metrics.flush(answeredRequest(request.method, outcome.route, result.statusCode, durationMs));
    return result;
  }

  async function answer(request: HttpRequest, outcome: RequestOutcome): Promise<ApiResult> {
    if (request.method === 'OPTIONS') return preflightResponse(allowedOrigins, request.header('origin'));
    const transport = transportFor(request);
    try {
      // Before any transport reads it, so REST and /graphql refuse big bodies alike.
      if (requestBodyBytes(request.event) > MAX_REQUEST_BODY_BYTES)
        throw new PayloadTooLargeError(MAX_REQUEST_BODY_BYTES);
      return await transport.serve(request, outcome);
    } catch (error) {
      return transport.fail(error, request, outcome);
    }
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

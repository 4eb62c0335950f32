import type { ApiResult } from './api-gateway.js';
import type { HttpRequest, RequestOutcome } from './request.js';

/**
 * One of the siblings `src/app.ts` routes to (static assets, REST, GraphQL). `serve` answers
 * the request or throws; whatever it throws, and whatever the app refuses before serving (a
 * body over the limit), is answered by `fail`, the transport's one error boundary.
 */
export interface Transport {
  serve(request: HttpRequest, outcome: RequestOutcome): Promise<ApiResult>;
  fail(error: unknown, request: HttpRequest, outcome: RequestOutcome): ApiResult;
}

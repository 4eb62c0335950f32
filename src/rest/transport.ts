import type { HttpRequest } from '../http/request.js';
import type { Transport } from '../http/transport.js';
import type { Logger } from '../logger.js';
import type { RequestContextFactory } from '../request-context.js';
import { restErrorResult } from './error-boundary.js';
import { matchRoute } from './router.js';
import type { RestRoute } from './routes.js';

/** REST: the route table, its handlers, and its error boundary. */
export function createRestTransport(deps: { contexts: RequestContextFactory; logger: Logger }): Transport {
  // The route each request in flight matched: its error boundary locates a 422 with its inputs.
  const matched = new WeakMap<HttpRequest, RestRoute>();
  return {
    async serve(request, outcome) {
      const { route, params } = matchRoute(request.method, request.path);
      matched.set(request, route);
      outcome.route = route.path;
      const result = await route.handle({ request, context: deps.contexts(request, outcome), params });
      return request.method === 'HEAD' ? { ...result, body: '' } : result;
    },
    fail(error, request) {
      const result = restErrorResult(error, request.requestId, deps.logger, matched.get(request)?.inputs);
      return request.method === 'HEAD' ? { ...result, body: '' } : result;
    },
  };
}

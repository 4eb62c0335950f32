import type { Transport } from '../http/transport.js';
import type { Logger } from '../logger.js';
import type { RequestContextFactory } from '../request-context.js';
import { restErrorResult } from './error-boundary.js';
import { matchRoute, routeAt } from './router.js';

/** REST: the route table, its handlers, and its error boundary. */
export function createRestTransport(deps: { contexts: RequestContextFactory; logger: Logger }): Transport {
  return {
    async serve(request, outcome) {
      const { route, params } = matchRoute(request.method, request.path);
      outcome.route = route.path;
      const result = await route.handle({ request, context: deps.contexts(request, outcome), params });
      return request.method === 'HEAD' ? { ...result, body: '' } : result;
    },
    fail(error, request, outcome) {
      const result = restErrorResult(
        error,
        request.requestId,
        deps.logger,
        routeAt(request.method, outcome.route)?.inputs,
      );
      return request.method === 'HEAD' ? { ...result, body: '' } : result;
    },
  };
}

import { canonicalPath, GRAPHQL_PATH, IDE_CONFIG_PATH } from '../http/paths.js';
import type { HttpRequest } from '../http/request.js';
import { MethodNotAllowedError } from '../http/errors.js';
import { jsonResponse } from '../http/responses.js';
import type { Transport } from '../http/transport.js';
import type { AssetStore } from '../static/asset-store.js';
import { IDE_PAGE, idePageHeaders } from '../static/page-security.js';
import { serveAsset } from '../static/static-routes.js';
import { graphqlErrorResult } from './error-boundary.js';
import type { OperationRunner, OperationRunnerDependencies } from './operation-runner.js';

export interface GraphQLTransportDependencies extends OperationRunnerDependencies {
  /** Where the self-hosted GraphiQL page is, for browsers that open `/graphql`. */
  readonly assets: AssetStore;
  /** Where the IDE's subscriptions connect when not to the page's own origin (WEBSOCKET_URL). */
  readonly websocketUrl?: string | undefined;
}

/**
 * `/graphql`: the IDE page for a browser, every other request to Apollo. Apollo and graphql
 * are loaded on the first GraphQL operation, not at cold start: a REST request (or the IDE
 * page) never needs them.
 */
export function createGraphQLTransport(deps: GraphQLTransportDependencies): Transport {
  let runner: Promise<OperationRunner> | undefined;
  const load = () =>
    (runner ??= import('./operation-runner.js')
      .then((module) => module.createOperationRunner(deps))
      .catch((error: unknown) => {
        runner = undefined; // the next request tries again
        throw error;
      }));
  const pageHeaders = idePageHeaders(deps.websocketUrl);
  return {
    async serve(request, outcome) {
      if (canonicalPath(request.path) === IDE_CONFIG_PATH) {
        outcome.route = IDE_CONFIG_PATH;
        return ideConfig(request, deps.websocketUrl);
      }
      outcome.route = GRAPHQL_PATH;
      if (wantsThePage(request)) return serveAsset(deps.assets, IDE_PAGE, request, pageHeaders);
      return (await load())(request, outcome);
    },
    fail: (error, request) => graphqlErrorResult(error, request.requestId, deps.logger),
  };
}

/**
 * What the IDE reads beside its page: the WebSocket URL for subscriptions, or null for "this
 * page's own URL" (the local server). Small, never cached: it changes with the deployment.
 */
function ideConfig(request: HttpRequest, websocketUrl: string | undefined) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new MethodNotAllowedError(
      `Method ${request.method} not allowed on ${IDE_CONFIG_PATH}`,
      'GET, HEAD',
    );
  }
  return jsonResponse(200, { subscriptionsUrl: websocketUrl ?? null }, { 'cache-control': 'no-cache' });
}

/**
 * A browser navigating to `/graphql` (HTML preferred over the GraphQL media types, as Apollo
 * decides for its landing page); a GraphQL client asks for JSON.
 */
function wantsThePage(request: HttpRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const ranges = (request.header('accept') ?? '')
    .split(',')
    .map((range) => {
      const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
      const q = parameters.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter(
      (range) =>
        range.q > 0 &&
        ['text/html', 'application/json', 'application/graphql-response+json'].includes(range.type),
    )
    .sort((a, b) => b.q - a.q);
  return ranges[0]?.type === 'text/html';
}

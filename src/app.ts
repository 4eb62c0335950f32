import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { Config } from './config.js';
import { header, type ApiEvent, type ApiHandler, type ApiResult } from './http/api-gateway.js';
import { MAX_REQUEST_BODY_BYTES, requestBodyBytes } from './http/body.js';
import { corsHeaders, preflightResponse } from './http/cors.js';
import { beginRequest, scopeOf, type RequestScope } from './http/request-scope.js';
import { errorResponse } from './http/responses.js';
import { createApolloServer } from './graphql/apollo-server.js';
import { malformedJsonResponse } from './graphql/malformed-body.js';
import { errorFields, type Logger } from './logger.js';
import {
  createRequestContextFactory,
  type RequestContext,
  type RequestContextFactory,
} from './request-context.js';
import { matchRestRoute } from './rest/router.js';
import { createAssetStore, readPage } from './static/asset-store.js';
import { IDE_PAGE, secureIdePage } from './static/page-security.js';
import { createStaticRoutes } from './static/static-routes.js';

export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  /** The one DynamoDB client of this process; repositories are built on it. */
  readonly dynamo: DynamoDBDocumentClient;
  /** The HS256 key that signs and verifies access tokens. */
  readonly signingKey: string;
  /** The prebuilt browser assets (GraphQL IDE, REST docs), see scripts/build-assets.ts. */
  readonly assetsDir: string;
}

type LambdaApolloServer = Parameters<
  typeof startServerAndCreateLambdaHandler<LambdaRequestHandler, RequestContext>
>[0];
type LambdaRequestHandler = ReturnType<typeof handlers.createAPIGatewayProxyEventRequestHandler>;

const GRAPHQL_PATH = '/graphql';

/**
 * The one handler that serves every request, in Lambda and on the local server alike:
 * request scope and CORS around everything, then REST routes, then `/graphql` through Apollo.
 */
export function createHandler(deps: AppDependencies): ApiHandler {
  const { config, logger } = deps;
  const createContext = createRequestContextFactory({
    logger,
    config,
    dynamo: deps.dynamo,
    signingKey: deps.signingKey,
  });

  const assets = createAssetStore(deps.assetsDir);
  const serveStatic = createStaticRoutes(assets);

  const apollo = startServerAndCreateLambdaHandler(
    // The integration is CommonJS and types Apollo from its CJS build, we import the ESM build:
    // one class at run time, two declarations to TypeScript.
    createApolloServer({
      introspection: config.graphqlIntrospection,
      logger,
      idePage: () => readPage(assets, IDE_PAGE),
    }) as unknown as LambdaApolloServer,
    handlers.createAPIGatewayProxyEventRequestHandler(),
    {
      // A middleware that returns a result answers the request itself; only /graphql reaches Apollo.
      middleware: [
        async (event) => (await serveStatic(event)) ?? routeOutsideGraphQL(event, createContext),
        // Apollo's landing page is our GraphQL IDE: it gets a page's security headers.
        async () => async (result) => secureIdePage(result),
      ],
      context: async ({ event }) => createContext(event),
    },
  );

  return async (event, lambdaContext) => {
    const scope = beginRequest(event);
    const origin = header(event, 'origin');
    let result: ApiResult;
    try {
      result =
        scope.method === 'OPTIONS'
          ? preflightResponse(config.allowedOrigins, origin)
          : // Before any routing, so /graphql and REST refuse big bodies alike.
            requestBodyBytes(event) > MAX_REQUEST_BODY_BYTES
            ? errorResponse(413, `Request body over ${MAX_REQUEST_BODY_BYTES} bytes`, scope.requestId)
            : ((await apollo(event, lambdaContext, () => undefined)) as ApiResult);
    } catch (error) {
      logger.error('unhandled error', { requestId: scope.requestId, ...errorFields(error) });
      result = errorResponse(500, 'Internal server error', scope.requestId);
    }
    result.headers = withHeaders(result.headers, {
      ...corsHeaders(config.allowedOrigins, origin),
      'x-request-id': scope.requestId,
    });
    logAccess(logger, scope, result);
    return result;
  };
}

async function routeOutsideGraphQL(
  event: ApiEvent,
  createContext: RequestContextFactory,
): Promise<ApiResult | undefined> {
  const scope = scopeOf(event);
  const route = matchRestRoute(scope);
  if (route) {
    scope.route = route.pattern;
    return route.handle(event, createContext(event));
  }
  if (scope.path.replace(/\/+$/, '') === GRAPHQL_PATH) {
    scope.route = GRAPHQL_PATH;
    return malformedJsonResponse(event);
  }
  return errorResponse(404, 'Not Found', scope.requestId);
}

/** Adds headers to a result; `Vary` lists are merged, since assets vary by encoding and CORS by origin. */
function withHeaders(headers: ApiResult['headers'], added: Record<string, string>): ApiResult['headers'] {
  const merged = { ...headers, ...added };
  const vary = new Set(
    [headers?.vary, added.vary]
      .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
      .map((v) => v.trim()),
  );
  vary.delete('');
  if (vary.size > 0) merged.vary = [...vary].join(', ');
  return merged;
}

function logAccess(logger: Logger, scope: RequestScope, result: ApiResult): void {
  logger.info('request', {
    requestId: scope.requestId,
    method: scope.method,
    route: scope.route ?? null,
    path: scope.path,
    status: result.statusCode,
    durationMs: Math.round((performance.now() - scope.startedAt) * 100) / 100,
    ...(scope.userId ? { userId: scope.userId } : {}),
  });
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApp } from './app.js';
import { BcryptPasswordHasher } from './auth/password-hasher.js';
import { HmacRefreshTokens } from './auth/refresh-tokens.js';
import { bearerToken, JwtTokens } from './auth/tokens.js';
import type { Config } from './config.js';
import { createServices } from './domain/create-services.js';
import type { Caller } from './domain/entities.js';
import type { ApiHandler } from './http/api-gateway.js';
import { createGraphQLTransport } from './graphql/transport.js';
import type { Logger } from './logger.js';
import { domainEventMetrics } from './observability/domain-event-metrics.js';
import { createServiceMetrics, NO_METRICS, type ServiceMetrics } from './observability/metrics.js';
import type { RequestContextFactory } from './request-context.js';
import { createRestTransport } from './rest/transport.js';
import { createAssetStore } from './static/asset-store.js';
import { createStaticTransport } from './static/static-routes.js';
import { DynamoItemRepository } from './storage/item-repository.js';
import { idGenerator } from './storage/id-generator.js';
import { createLoaders } from './storage/loaders.js';
import { PageCursors } from './storage/page-cursor.js';
import { DynamoSessionRepository } from './storage/session-repository.js';
import { DynamoUserRepository } from './storage/user-repository.js';

/**
 * The composition root of the HTTP service: it wires the layers together. `lambda.ts` and
 * `local/server.ts` build the clients and the configuration, then call `composeApp`; the
 * subscription functions (`realtime/lambda-handlers.ts`, `local/local-realtime.ts`) reuse its
 * request contexts.
 */
export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  /** The one DynamoDB client of this process; repositories are built on it. */
  readonly dynamo: DynamoDBDocumentClient;
  /** The HS256 key that signs and verifies access tokens. */
  readonly signingKey: string;
  /** The prebuilt browser assets (GraphQL IDE, REST docs), see scripts/build-assets.ts. */
  readonly assetsDir: string;
  /**
   * The process's metrics, shared with what counts outside a request (the DynamoDB client's
   * retries). Unset: made here from the configuration (off without METRICS_NAMESPACE).
   */
  readonly metrics?: ServiceMetrics;
}

/** The one handler that serves every request, in Lambda and on the local server alike. */
export function composeApp(deps: AppDependencies): ApiHandler {
  const { config, logger } = deps;
  const metrics =
    deps.metrics ??
    createServiceMetrics({ namespace: config.metricsNamespace, serviceName: config.serviceName, logger });
  const contexts = createRequestContextFactory({ ...deps, metrics });
  const assets = createAssetStore(deps.assetsDir);
  return createApp({
    allowedOrigins: config.allowedOrigins,
    logger,
    metrics,
    transports: {
      static: createStaticTransport({ assets, logger }),
      rest: createRestTransport({ contexts, logger }),
      graphql: createGraphQLTransport({
        contexts,
        logger,
        introspection: config.graphqlIntrospection,
        assets,
        websocketUrl: config.websocketUrl,
      }),
    },
  });
}

export type ContextDependencies = Pick<AppDependencies, 'logger' | 'dynamo' | 'signingKey' | 'metrics'> & {
  readonly config: Pick<
    Config,
    | 'usersTable'
    | 'itemsTable'
    | 'bcryptCost'
    | 'jwtIssuer'
    | 'jwtAudience'
    | 'tokenTtlMinutes'
    | 'refreshTokenTtlDays'
  >;
};

/** Per request: fresh loaders, repositories and services over the process's clients and keys. */
export function createRequestContextFactory(deps: ContextDependencies): RequestContextFactory {
  const { config, dynamo: client, logger } = deps;
  // Built once: bcrypt's decoy hash, the token keys and the cursor key serve every request.
  const passwords = new BcryptPasswordHasher(config.bcryptCost);
  const tokens = createTokens(config, deps.signingKey);
  const cursors = new PageCursors(deps.signingKey);
  const refreshTokens = new HmacRefreshTokens(deps.signingKey);
  const tables = { users: config.usersTable, items: config.itemsTable };
  const clock = { now: () => new Date() };
  const events = domainEventMetrics(deps.metrics ?? NO_METRICS);

  return (request, outcome) => {
    const onInvalidRow = (table: string, id: unknown, problem: string) =>
      logger.warn('skipped a row that is not a valid record', {
        requestId: request.requestId,
        table,
        id,
        problem,
      });
    const loaders = createLoaders({ client, tables, onInvalidRow });
    const services = createServices({
      users: new DynamoUserRepository({ client, tableName: tables.users, loader: loaders.users }),
      items: new DynamoItemRepository({
        client,
        tableName: tables.items,
        loader: loaders.items,
        cursors,
        onInvalidRow,
      }),
      sessions: new DynamoSessionRepository(client, tables.users),
      passwords,
      tokens,
      refreshTokens,
      refreshTtlDays: config.refreshTokenTtlDays,
      clock,
      ids: idGenerator,
      events,
    });
    let caller: Caller | undefined;
    return {
      requestId: request.requestId,
      logger,
      services,
      caller() {
        caller ??= tokens.authenticate(bearerToken(request.header('authorization')));
        outcome.userId = caller.userId;
        return caller;
      },
    };
  };
}

/** The access tokens of this configuration: the HTTP service and the subscription functions alike. */
export function createTokens(
  config: Pick<Config, 'jwtIssuer' | 'jwtAudience' | 'tokenTtlMinutes'>,
  signingKey: string,
): JwtTokens {
  return new JwtTokens({
    signingKey,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlMinutes: config.tokenTtlMinutes,
  });
}

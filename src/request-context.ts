import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BcryptPasswordHasher } from './auth/password-hasher.js';
import { bearerToken, JwtTokens } from './auth/tokens.js';
import type { Config } from './config.js';
import { createServices } from './domain/create-services.js';
import type { Caller } from './domain/entities.js';
import type { Services } from './domain/services.js';
import { header, type ApiEvent } from './http/api-gateway.js';
import { scopeOf, type RequestScope } from './http/request-scope.js';
import type { Logger } from './logger.js';
import { createLoaders } from './storage/loaders.js';
import { DynamoItemRepository } from './storage/item-repository.js';
import { PageCursors } from './storage/page-cursor.js';
import { DynamoUserRepository } from './storage/user-repository.js';

/**
 * Built once per request, for REST and GraphQL alike. Nothing in it outlives the request, so
 * two callers served by one warm container never share loaded data.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly scope: RequestScope;
  readonly logger: Logger;
  /** Fresh per request, over fresh DataLoaders. */
  readonly services: Services;
  /** The caller from `Authorization: Bearer` (no database call), memoized; throws `UnauthenticatedError`. */
  caller(): Caller;
}

export interface RequestContextDependencies {
  readonly logger: Logger;
  readonly config: Pick<
    Config,
    'usersTable' | 'itemsTable' | 'bcryptCost' | 'jwtIssuer' | 'jwtAudience' | 'tokenTtlMinutes'
  >;
  readonly dynamo: DynamoDBDocumentClient;
  readonly signingKey: string;
}

export type RequestContextFactory = (event: ApiEvent) => RequestContext;

export function createRequestContextFactory(deps: RequestContextDependencies): RequestContextFactory {
  const { config, dynamo: client, logger } = deps;
  // Built once: bcrypt's decoy hash, the token keys and the cursor key serve every request.
  const passwords = new BcryptPasswordHasher(config.bcryptCost);
  const tokens = new JwtTokens({
    signingKey: deps.signingKey,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlMinutes: config.tokenTtlMinutes,
  });
  const cursors = new PageCursors(deps.signingKey);
  const tables = { users: config.usersTable, items: config.itemsTable };
  const clock = { now: () => new Date() };
  const ids = { newId: () => randomUUID() };

  return (event) => {
    const scope = scopeOf(event);
    const onInvalidRow = (table: string, id: unknown, problem: string) =>
      logger.warn('skipped a row that is not a valid record', {
        requestId: scope.requestId,
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
      passwords,
      tokens,
      clock,
      ids,
    });
    let caller: Caller | undefined;
    return {
      requestId: scope.requestId,
      scope,
      logger,
      services,
      caller() {
        caller ??= tokens.authenticate(bearerToken(header(event, 'authorization')));
        scope.userId = caller.userId;
        return caller;
      },
    };
  };
}

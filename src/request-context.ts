import type { ApiEvent } from './http/api-gateway.js';
import { scopeOf, type RequestScope } from './http/request-scope.js';
import type { Logger } from './logger.js';

/**
 * Built once per request, for REST and GraphQL alike. Nothing in it outlives the request, so
 * two callers served by one warm container never share loaded data.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly scope: RequestScope;
  readonly logger: Logger;
  // Planned by the data-layer work (see src/domain/services.ts), wired here:
  //   readonly services: Services;   fresh per request, with fresh DataLoaders
  //   caller(): Caller;              from `Authorization: Bearer`, memoized; throws UnauthenticatedError
}

export interface RequestContextDependencies {
  readonly logger: Logger;
}

export type RequestContextFactory = (event: ApiEvent) => RequestContext;

export function createRequestContextFactory(deps: RequestContextDependencies): RequestContextFactory {
  return (event) => {
    const scope = scopeOf(event);
    return { requestId: scope.requestId, scope, logger: deps.logger };
  };
}

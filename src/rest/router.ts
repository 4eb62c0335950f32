import type { ApiEvent, ApiResult } from '../http/api-gateway.js';
import type { RequestScope } from '../http/request-scope.js';
import { health } from './health.js';

interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly handle: (event: ApiEvent) => Promise<ApiResult> | ApiResult;
}

const routes: readonly Route[] = [{ method: 'GET', pattern: '/health', handle: health }];

/** Legacy clients call every route with an `/api` prefix and with or without a trailing slash. */
export function canonicalPath(path: string): string {
  const withoutPrefix = path.replace(/^\/api(?=\/|$)/, '');
  const trimmed = withoutPrefix.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** The REST route for this request, or undefined when the path is not a REST path. */
export function matchRestRoute(scope: RequestScope): Route | undefined {
  const path = canonicalPath(scope.path);
  return routes.find((route) => route.method === scope.method && route.pattern === path);
}

import type { AnsweredRequest, StatusClass } from './metrics.js';

// Each distinct dimension value is a metric CloudWatch bills: methods outside this set (the
// local server accepts any token) and unrouted paths each share one value.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A CORS preflight is answered before routing, on any path. */
export const PREFLIGHT_ROUTE = 'OPTIONS *';
/** A path no route has (404) or a method its route lacks (405). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The `Requests` and `Latency` dimensions of one answered request: its method and route
 * template (`GET /item/{id}`), never the raw path, and the class of its status.
 */
export function answeredRequest(
  method: string,
  route: string | undefined,
  statusCode: number,
  latencyMs: number,
): AnsweredRequest {
  return { route: routeLabel(method, route), statusClass: statusClassOf(statusCode), latencyMs };
}

/** The method and route template as metrics and traces name a request's route. */
export function routeLabel(method: string, route: string | undefined): string {
  if (method === 'OPTIONS' && route === undefined) return PREFLIGHT_ROUTE;
  if (route === undefined) return UNMATCHED_ROUTE;
  return `${METHODS.has(method) ? method : 'OTHER'} ${route}`;
}

function statusClassOf(statusCode: number): StatusClass {
  const hundreds = Math.min(5, Math.max(1, Math.floor(statusCode / 100)));
  return `${hundreds}xx` as StatusClass;
}

import { randomUUID } from 'node:crypto';
import { header, routePath, type ApiEvent } from './api-gateway.js';

/**
 * What every layer may need to know about the request in flight: its id (echoed, logged,
 * put in error bodies), the path it routes on, and what the access log line reports.
 */
export interface RequestScope {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  /** The matched route's pattern, for the access log (`/item/{id}`, `/graphql`). */
  route?: string;
  /** The authenticated caller, once known. */
  userId?: string;
}

const scopes = new WeakMap<ApiEvent, RequestScope>();

// A caller's id is echoed into headers and logs, so only short, plain ones are kept.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function isSaneRequestId(id: string | undefined): id is string {
  return id !== undefined && SANE_REQUEST_ID.test(id);
}

export function beginRequest(event: ApiEvent): RequestScope {
  const offered = header(event, 'x-request-id');
  const scope: RequestScope = {
    // Else API Gateway's own id, which its access log records too: one id joins both logs.
    requestId: [offered, event.requestContext?.requestId].find(isSaneRequestId) ?? randomUUID(),
    method: event.httpMethod.toUpperCase(),
    path: routePath(event),
    startedAt: performance.now(),
  };
  scopes.set(event, scope);
  return scope;
}

/** The scope `beginRequest` opened for this event. */
export function scopeOf(event: ApiEvent): RequestScope {
  const scope = scopes.get(event);
  if (!scope) throw new Error('scopeOf: no request scope for this event (beginRequest was not called)');
  return scope;
}

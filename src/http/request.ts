import { randomUUID } from 'node:crypto';
import { header, routePath, type ApiEvent } from './api-gateway.js';

/**
 * One request as every layer sees it: read once from the API Gateway event and passed down
 * as a value. Its id is echoed in `X-Request-ID`, put in every error body and every log line.
 */
export interface HttpRequest {
  readonly event: ApiEvent;
  readonly requestId: string;
  /** Upper case. */
  readonly method: string;
  /** The path to route on: relative to the API (no stage, no custom-domain base path). */
  readonly path: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  header(name: string): string | undefined;
}

/** What the access-log line reports beyond the request itself, learnt while serving it. */
export interface RequestOutcome {
  /** The matched route's pattern (`/item/{id}`, `/graphql`), once routed. */
  route?: string;
  /** The authenticated caller, once known. */
  userId?: string;
}

// A caller's id is echoed into headers and logs, so only short, plain ones are kept.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const isSaneRequestId = (id: string | undefined): id is string =>
  id !== undefined && SANE_REQUEST_ID.test(id);

export function readRequest(event: ApiEvent, startedAt = performance.now()): HttpRequest {
  return {
    event,
    requestId: requestIdFor(header(event, 'x-request-id'), event.requestContext?.requestId),
    method: (event.httpMethod ?? 'GET').toUpperCase(),
    path: routePath(event),
    startedAt,
    header: (name) => header(event, name),
  };
}

/**
 * The caller's id if it sent a sane one; else API Gateway's own, which its access log records
 * too (one id joins both logs); else a new one.
 */
export function requestIdFor(offered: string | undefined, gatewayId?: string): string {
  return [offered, gatewayId].find(isSaneRequestId) ?? randomUUID();
}

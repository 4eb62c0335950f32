import { readFileSync } from 'node:fs';
import type { WebSocketEvent } from '../../src/realtime/websocket-handler.js';

type Route = 'connect' | 'message' | 'disconnect';

function fixture(route: Route): WebSocketEvent {
  return JSON.parse(
    readFileSync(new URL(`../events/websocket-${route}.json`, import.meta.url), 'utf8'),
  ) as WebSocketEvent;
}

export interface WebSocketEventOptions {
  readonly connectionId: string;
  /** `$default` only: the message, as the client sent it (objects are sent as JSON). */
  readonly body?: unknown;
  /** `$connect` only: the subprotocols the client offers (null: none). */
  readonly protocols?: string | null;
  /** Epoch milliseconds, as API Gateway's `connectedAt`; now by default. */
  readonly connectedAt?: number;
}

/**
 * API Gateway WebSocket events built from the captured-shape fixtures in test/events/: each
 * connection gets its id, and each message a fresh message and request id.
 */
export function webSocketEvent(route: Route, options: WebSocketEventOptions): WebSocketEvent {
  const base = fixture(route);
  const requestId = `${Math.random().toString(36).slice(2, 14)}=`;
  const event: WebSocketEvent = {
    ...base,
    requestContext: {
      ...base.requestContext,
      connectionId: options.connectionId,
      requestId,
      extendedRequestId: requestId,
      ...(route === 'message' ? { messageId: `${Math.random().toString(36).slice(2, 14)}=` } : {}),
      // A live connection: opened now, unless told otherwise.
      connectedAt: options.connectedAt ?? Date.now(),
      requestTimeEpoch: Date.now(),
    },
  };
  if (route === 'message') {
    const body = options.body;
    return { ...event, body: typeof body === 'string' ? body : JSON.stringify(body) };
  }
  if (route === 'connect' && options.protocols !== undefined) {
    const headers = { ...event.headers };
    delete headers['Sec-WebSocket-Protocol'];
    if (options.protocols !== null) headers['Sec-WebSocket-Protocol'] = options.protocols;
    return { ...event, headers };
  }
  return event;
}

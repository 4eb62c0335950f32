import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  handleProtocols,
  MessageType,
  parseMessage,
  stringifyMessage,
  type Message,
  type SubscribePayload,
} from 'graphql-ws';
import type { Authenticator } from '../auth/tokens.js';
import { ErrorCode } from '../graphql/error-boundary.js';
import { errorFields, type Logger } from '../logger.js';
import { formatEventErrors, tokenExpiredError } from './change-events.js';
import { authenticateConnection, type ConnectionAuthentication } from './connection-auth.js';
import { ConnectionStore } from './connection-store.js';
import type { ConnectionMessenger } from './management-api.js';
import { isRefused, type PrepareSubscription } from './subscription-document.js';
import { SUBSCRIPTION_LIMITS, tooManyForUser, tooManyOnConnection } from './subscription-limits.js';

/** API Gateway's WebSocket event; `$connect` also carries the handshake's headers. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  readonly headers?: Record<string, string | undefined>;
};

export interface WebSocketResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type WebSocketHandler = (event: WebSocketEvent) => Promise<WebSocketResult>;

export interface WebSocketHandlerDependencies {
  readonly store: ConnectionStore;
  /** The management API of an endpoint (`https://<domain>/<stage>`). */
  readonly messengers: (endpoint: string) => ConnectionMessenger;
  /** Overrides the endpoint each event names (WEBSOCKET_MANAGEMENT_ENDPOINT). */
  readonly managementEndpoint?: string | undefined;
  readonly tokens: Authenticator;
  readonly prepare: PrepareSubscription;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** What the client learns when its `connection_init` is refused (see `refuseConnection`). */
export const REFUSED_INIT_ID = 'connection_init';

/**
 * The `graphql-transport-ws` protocol on API Gateway's WebSocket routes, statelessly: each
 * message is one invocation, and what a connection is (its user, its token's expiry, its
 * subscriptions) lives in the connections table. Every answer is a PostToConnection (the routes
 * are one-way), so replies and the publisher's events travel the same way.
 *
 * API Gateway cannot close a socket with a code of ours (DeleteConnection closes with 1000), and
 * graphql-ws clients reconnect at once after a 1000 before the ack. So a refused
 * `connection_init` is answered with an `error` message first, which such a client takes as
 * fatal (it closes with 4004 and does not retry), then the connection is deleted; the message's
 * payload says why and which close code the protocol would have used (4401 or 4403). Protocol
 * violations no graphql-ws client commits (4400, 4401, 4409, 4429) just delete the connection.
 */
export function createWebSocketHandler(deps: WebSocketHandlerDependencies): WebSocketHandler {
  const { store, tokens, prepare, logger } = deps;
  const now = deps.now ?? (() => Date.now());

  return async (event) => {
    const started = performance.now();
    const { routeKey, connectionId, requestId } = event.requestContext;
    const outcome: Record<string, unknown> = {};
    let result: WebSocketResult = { statusCode: 200 };
    try {
      if (routeKey === '$connect') result = connect(event, outcome);
      else if (routeKey === '$disconnect') await store.deleteConnection(connectionId);
      else await onMessage(event, outcome);
    } catch (error) {
      logger.error('unexpected WebSocket failure', {
        requestId,
        routeKey,
        connectionId,
        ...errorFields(error),
      });
      // A failed $connect refuses the handshake; for messages API Gateway would send the client
      // a non-protocol "Internal server error" message, which breaks graphql-ws clients.
      result = { statusCode: routeKey === '$connect' ? 500 : 200 };
    }
    logger.info('websocket', {
      requestId,
      route: routeKey,
      connectionId,
      status: result.statusCode,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...outcome,
    });
    return result;
  };

  /** The handshake: only clients that speak `graphql-transport-ws` (browsers require the echo). */
  function connect(event: WebSocketEvent, outcome: Record<string, unknown>): WebSocketResult {
    const offered = headerOf(event.headers, 'sec-websocket-protocol') ?? '';
    if (handleProtocols(offered) !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      outcome.refused = `subprotocol "${offered}" is not ${GRAPHQL_TRANSPORT_WS_PROTOCOL}`;
      return { statusCode: 400 };
    }
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': GRAPHQL_TRANSPORT_WS_PROTOCOL } };
  }

  async function onMessage(event: WebSocketEvent, outcome: Record<string, unknown>): Promise<void> {
    const { connectionId, requestId, domainName, stage, connectedAt } = event.requestContext;
    const messenger = deps.messengers(deps.managementEndpoint ?? `https://${domainName}/${stage}`);
    const send = async (message: Message) => {
      await messenger.post(connectionId, stringifyMessage(message));
    };
    const close = async (code: number, reason: string) => {
      outcome.closed = { code, reason };
      await messenger.disconnect(connectionId);
    };

    let message: Message;
    try {
      message = parseMessage(
        event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : event.body,
      );
    } catch {
      return close(CloseCode.BadRequest, 'Invalid message received');
    }
    outcome.type = message.type;
    switch (message.type) {
      case MessageType.ConnectionInit: {
        const auth = authenticateConnection(tokens, message.payload);
        if (!auth.ok) return refuseConnection(auth);
        outcome.userId = auth.caller.userId;
        const saved = await store.saveConnection({
          connection_id: connectionId,
          user_id: auth.caller.userId,
          token_expires_at: Math.floor(auth.expiresAtMs / 1000),
          connected_at: Math.floor(connectedAt / 1000),
          expires_at: ConnectionStore.expiresAt(connectedAt),
        });
        if (!saved) return close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        return send({ type: MessageType.ConnectionAck });
      }
      case MessageType.Ping:
        // API Gateway sends no pings and closes idle sockets after 10 minutes: clients keep the
        // connection alive with graphql-ws's `keepAlive`, which waits for this pong.
        return send(
          message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong },
        );
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return subscribe(message.id, message.payload);
      case MessageType.Complete:
        return store.deleteSubscription(connectionId, message.id);
      default:
        return close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }

    async function refuseConnection(auth: Extract<ConnectionAuthentication, { ok: false }>): Promise<void> {
      outcome.refused = { code: auth.closeCode, reason: auth.reason };
      await send({
        type: MessageType.Error,
        id: REFUSED_INIT_ID,
        payload: [
          {
            message: auth.reason,
            extensions: { code: ErrorCode.UNAUTHENTICATED, closeCode: auth.closeCode },
          },
        ],
      });
      await messenger.disconnect(connectionId);
    }

    async function subscribe(id: string, payload: SubscribePayload): Promise<void> {
      const refuse = async (errors: Parameters<typeof formatEventErrors>[0]) => {
        outcome.refusedSubscription = errors.map((e) => e.message);
        await send({
          type: MessageType.Error,
          id,
          payload: formatEventErrors(errors, { logger, requestId }),
        });
      };
      try {
        const { connection, subscriptionIds } = await store.state(connectionId);
        if (!connection) return close(CloseCode.Unauthorized, 'Unauthorized');
        if (subscriptionIds.includes(id)) {
          return close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
        }
        outcome.userId = connection.user_id;
        if (connection.token_expires_at * 1000 <= now()) return refuse([tokenExpiredError()]);
        const prepared = prepare(payload);
        if (isRefused(prepared)) return refuse(prepared);
        if (subscriptionIds.length >= SUBSCRIPTION_LIMITS.perConnection)
          return refuse([tooManyOnConnection()]);
        if ((await store.countSubscriptions(connection.user_id)) >= SUBSCRIPTION_LIMITS.perUser) {
          return refuse([tooManyForUser()]);
        }
        const saved = await store.saveSubscription({
          connection_id: connectionId,
          owner_id: connection.user_id,
          subscription_id: id,
          query: payload.query,
          ...(prepared.operationName ? { operation_name: prepared.operationName } : {}),
          ...(Object.keys(prepared.variables).length > 0 ? { variables: prepared.variables } : {}),
          token_expires_at: connection.token_expires_at,
          expires_at: connection.expires_at,
        });
        if (!saved) return close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
        outcome.subscribed = id;
      } catch (error) {
        // The client learns its subscription failed (masked, with the id of the log line).
        logger.error('unexpected failure of a subscribe', { requestId, connectionId, ...errorFields(error) });
        await send({
          type: MessageType.Error,
          id,
          payload: [
            {
              message: 'Internal server error',
              extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
            },
          ],
        });
      }
    }
  }
}

function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

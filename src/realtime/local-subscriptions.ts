import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../auth/tokens.js';
import type { Caller } from '../domain/entities.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { ItemChange } from '../domain/item-change.js';
import { MAX_REQUEST_BODY_BYTES } from '../http/body.js';
import { canonicalPath, GRAPHQL_PATH } from '../http/paths.js';
import type { Logger } from '../logger.js';
import {
  executeChange,
  formatEventErrors,
  formatEventResult,
  TOKEN_EXPIRED,
  tokenExpiredError,
  tokenExpiredResult,
} from './change-events.js';
import { authenticateConnection } from './connection-auth.js';
import type { LocalChangeFeed } from './local-change-feed.js';
import type { SubscriberContexts } from './subscriber-context.js';
import { isRefused, type PreparedSubscription, type PrepareSubscription } from './subscription-document.js';
import { SUBSCRIPTION_LIMITS, tooManyForUser, tooManyOnConnection } from './subscription-limits.js';

export interface LocalSubscriptionsDependencies {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  readonly prepare: PrepareSubscription;
  readonly feed: LocalChangeFeed;
  readonly contexts: SubscriberContexts;
  readonly tokens: Authenticator;
  readonly logger: Logger;
}

export interface LocalSubscriptions {
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Closes every socket with 1001 (going away) and waits for them, at most `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** A connection after `connection_init`: who it is, until when, and what it subscribed to. */
interface Session {
  readonly caller: Caller;
  readonly expiry: AbortController;
  readonly timer: NodeJS.Timeout;
  readonly active: Set<string>;
}

type ConnectionContext = Context<
  Record<string, unknown> | undefined,
  Extra & Partial<Record<PropertyKey, never>>
>;

/**
 * GraphQL subscriptions on the local server's own port: the WebSocket upgrade on `/graphql`
 * (any spelling the router accepts: `/api` prefix, trailing slash), graphql-ws's server for
 * the `graphql-transport-ws` protocol, and the local change feed as the source of events.
 *
 * A connection authenticates in `connection_init` (no token: 4401, a refused one: 4403). Each
 * subscription document is checked like a query over HTTP (subscription-document.ts) and
 * refused with an `error` message; each event runs the selection with a fresh context. When the
 * token expires, each subscription gets a last event with an `UNAUTHENTICATED` error and
 * completes; new subscriptions on that connection are refused until the client reconnects.
 */
export function serveLocalSubscriptions(deps: LocalSubscriptionsDependencies): LocalSubscriptions {
  const { schema, prepare, feed, contexts, tokens, logger } = deps;
  const sessions = new WeakMap<ConnectionContext, Session>();
  const perUser = new Map<string, number>();
  /** Each operation's subscriber and document, by its context: each event gets a fresh context. */
  const operations = new WeakMap<
    object,
    { caller: Caller; subscription: PreparedSubscription; requestId: string }
  >();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BODY_BYTES });
  let closing = false;

  const release = (session: Session, id: string) => {
    if (!session.active.delete(id)) return;
    const left = (perUser.get(session.caller.userId) ?? 1) - 1;
    if (left > 0) perUser.set(session.caller.userId, left);
    else perUser.delete(session.caller.userId);
  };

  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      onConnect(ctx) {
        const auth = authenticateConnection(tokens, ctx.connectionParams);
        if (!auth.ok) {
          // graphql-ws closes a refusal with 4403; a missing token is 4401, with a reason that says why.
          ctx.extra.socket.close(auth.closeCode, auth.reason);
          return false;
        }
        const expiry = new AbortController();
        const timer = setTimeout(
          () => expiry.abort(new UnauthenticatedError(TOKEN_EXPIRED)),
          Math.max(0, auth.expiresAtMs - Date.now()),
        );
        timer.unref();
        sessions.set(ctx, { caller: auth.caller, expiry, timer, active: new Set() });
        return true;
      },

      onSubscribe(ctx, id, payload) {
        const session = sessions.get(ctx);
        if (!session) return [tokenExpiredError()];
        if (session.expiry.signal.aborted) return [tokenExpiredError()];
        const prepared = prepare(payload);
        if (isRefused(prepared)) return prepared;
        if (session.active.size >= SUBSCRIPTION_LIMITS.perConnection) return [tooManyOnConnection()];
        const { userId } = session.caller;
        if ((perUser.get(userId) ?? 0) >= SUBSCRIPTION_LIMITS.perUser) return [tooManyForUser()];
        session.active.add(id);
        perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
        const contextValue = contexts(session.caller, {
          itemChanges: (ownerId) => feed.changes(ownerId, session.expiry.signal),
        });
        operations.set(contextValue, {
          caller: session.caller,
          subscription: prepared,
          requestId: contextValue.requestId,
        });
        return {
          schema,
          document: prepared.document,
          operationName: prepared.operationName,
          variableValues: prepared.variables,
          contextValue,
        };
      },

      // graphql-js's `subscribe`, but each event gets a context of its own (fresh loaders), as
      // on AWS where the publisher runs each change separately.
      async subscribe(args) {
        const source = await createSourceEventStream(args);
        const operation = operations.get(args.contextValue as object);
        if (!(Symbol.asyncIterator in source) || !operation) return source as ExecutionResult;
        const { caller, subscription, requestId } = operation;
        // The source is `Subscription.itemChanged`'s: the feed's changes of the caller.
        const changes = source[Symbol.asyncIterator]() as AsyncIterator<ItemChange>;
        return eventResults(changes, (change) =>
          executeChange(schema, subscription, change, contexts(caller, { requestId })),
        );
      },

      onNext: (_ctx, _id, _payload, args, result) =>
        formatEventResult(result, { logger, requestId: requestIdOf(args) }),
      onError: (_ctx, id, _payload, errors) => formatEventErrors(errors, { logger, requestId: `ws:${id}` }),
      onComplete(ctx, id) {
        const session = sessions.get(ctx);
        if (session) release(session, id);
      },
      onClose(ctx) {
        const session = sessions.get(ctx);
        if (!session) return;
        clearTimeout(session.timer);
        for (const id of [...session.active]) release(session, id);
        session.expiry.abort();
      },
    },
    wss,
  );

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (closing || canonicalPath(safeDecode(path)) !== GRAPHQL_PATH) {
      socket.end(
        `HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  deps.server.on('upgrade', upgrade);

  return {
    get connections() {
      return wss.clients.size;
    },
    async close(graceMs = 3_000) {
      closing = true;
      deps.server.off('upgrade', upgrade);
      const stragglers = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, graceMs);
      try {
        // Closes each socket with 1001 "Going away" and waits until they are closed.
        await server.dispose();
      } finally {
        clearTimeout(stragglers);
      }
    },
  };
}

function requestIdOf(args: ExecutionArgs): string {
  const context = args.contextValue as { requestId?: unknown } | undefined;
  return typeof context?.requestId === 'string' ? context.requestId : 'subscription';
}

/**
 * The results of a subscription's events, in order. Ends with a last `UNAUTHENTICATED` result
 * when the token expires; `return()` ends it at once (the client's `complete`, a closed socket).
 */
function eventResults(
  changes: AsyncIterator<ItemChange>,
  run: (change: ItemChange) => Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  let finished = false;
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  return {
    async next() {
      if (finished) return done();
      try {
        const step = await changes.next();
        if (step.done) {
          finished = true;
          return done();
        }
        return { value: await run(step.value), done: false };
      } catch (error) {
        finished = true;
        if (error instanceof UnauthenticatedError) return { value: tokenExpiredResult(), done: false };
        throw error;
      }
    },
    async return() {
      finished = true;
      await changes.return?.();
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

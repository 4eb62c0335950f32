import { setTimeout as sleep } from 'node:timers/promises';
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface SocketClient {
  readonly client: Client;
  /** Every close of the client's socket, in order. */
  readonly closes: CloseInfo[];
  dispose(): Promise<void>;
}

/**
 * The real graphql-ws client over a real socket (Node's global WebSocket). The token goes in
 * `connection_init`, as GraphiQL sends it.
 */
export function socketClient(
  url: string,
  token: string | undefined,
  options: { keepAlive?: number; lazy?: boolean; retry?: boolean } = {},
): SocketClient {
  const closes: CloseInfo[] = [];
  const client = createClient({
    url,
    // Off unless asked: a refusal then shows as the close it is. On: graphql-ws's default (5).
    retryAttempts: options.retry ? 5 : 0,
    // Lazy (the default) closes the socket once no subscription is left; eager keeps it open.
    lazy: options.lazy ?? true,
    onNonLazyError: () => undefined,
    ...(options.keepAlive ? { keepAlive: options.keepAlive } : {}),
    connectionParams: token === undefined ? undefined : { Authorization: `Bearer ${token}` },
    on: {
      closed: (event) => {
        const { code, reason } = event as CloseInfo;
        closes.push({ code, reason });
      },
    },
  });
  return { client, closes, dispose: () => client.dispose() as Promise<void> };
}

export interface Subscription {
  /** The `next` payloads received, in order. */
  readonly events: FormattedExecutionResult[];
  /** Settles when the subscription ends: `complete`, or the error (GraphQL errors, or a CloseEvent). */
  readonly ended: Promise<{ readonly completed: true } | { readonly error: unknown }>;
  /** Resolves with the first `count` events; fails after `timeoutMs`. */
  received(count: number, timeoutMs?: number): Promise<FormattedExecutionResult[]>;
  unsubscribe(): void;
}

export function subscribe(client: Client, query: string, variables?: Record<string, unknown>): Subscription {
  const events: FormattedExecutionResult[] = [];
  let unsubscribe = () => {};
  const ended = new Promise<{ completed: true } | { error: unknown }>((settle) => {
    unsubscribe = client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => void events.push(value as FormattedExecutionResult),
        error: (error) => settle({ error }),
        complete: () => settle({ completed: true }),
      },
    );
  });
  return {
    events,
    ended,
    unsubscribe: () => unsubscribe(),
    async received(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} events within ${timeoutMs} ms, got ${JSON.stringify(events)}`);
        }
        await sleep(5);
      }
      return events.slice(0, count);
    },
  };
}

/** Waits until `probe()` holds (a subscription is live on the server, a row is written...). */
export async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** The selection most tests subscribe with: everything a client cache needs, and the owner. */
export const ITEM_CHANGED = `subscription {
  itemChanged {
    kind
    itemId
    version
    changedAt
    item { id name description version createdAt updatedAt owner { id username } }
  }
}`;

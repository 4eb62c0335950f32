/// <reference lib="dom" />
// Subscriptions for the GraphiQL page: graphql-ws's client (bundled, no CDN) over the
// `graphql-transport-ws` protocol. Runs in the browser, bundled by scripts/build-assets.ts.
import type { GraphiQLProps } from 'graphiql';
import { getOperationAST, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws/client';

type Fetcher = GraphiQLProps['fetcher'];
type Params = Parameters<Fetcher>[0];
type Options = Parameters<Fetcher>[1];

/**
 * Where subscriptions connect: the URL the service names beside this page (`ide-config.json`,
 * relative to the page, so under any stage), or else this page's own URL as ws(s):.
 */
export async function socketUrlOf(endpoint: string): Promise<string> {
  const own = new URL(endpoint, window.location.href);
  own.protocol = own.protocol === 'https:' ? 'wss:' : 'ws:';
  own.search = '';
  own.hash = '';
  try {
    const config = new URL(`${endpoint.replace(/\/+$/, '')}/ide-config.json`, window.location.href);
    const response = await fetch(config, { headers: { accept: 'application/json' } });
    const { subscriptionsUrl } = (await response.json()) as { subscriptionsUrl?: string | null };
    return subscriptionsUrl ?? own.href;
  } catch {
    return own.href;
  }
}

/**
 * A fetcher branch for subscription operations: each run opens its own connection with the
 * Headers tab as the `connection_init` payload (`{"Authorization": "Bearer ..."}`), and Stop
 * closes it. Anything else is not a subscription: undefined, for the HTTP fetcher.
 */
export function subscriptionsOverSocket(url: Promise<string>) {
  return (params: Params, options: Options): AsyncIterable<ExecutionResult> | undefined => {
    if (!isSubscription(params, options?.documentAST)) return undefined;
    const headers = { ...options?.headers };
    return run(
      url,
      {
        query: params.query,
        operationName: params.operationName ?? null,
        variables: params.variables ?? null,
      },
      headers,
    );
  };
}

/**
 * The subscription's results. Not an async generator: GraphiQL's Stop calls `return()` while a
 * `next()` waits for the next event, which a generator would only see after that event.
 */
function run(
  url: Promise<string>,
  request: { query: string; operationName: string | null; variables: Record<string, unknown> | null },
  headers: Record<string, unknown>,
): AsyncIterableIterator<ExecutionResult> {
  let finished = false;
  const started = url.then((socketUrl) => {
    const client = createClient({
      url: socketUrl,
      connectionParams: headers,
      // Refusals (a bad token: 4403) show at once instead of after retries.
      retryAttempts: 0,
      // API Gateway closes a socket idle for 10 minutes and never pings: keep it alive.
      keepAlive: 60_000,
    });
    return { client, results: client.iterate(request) };
  });
  const finish = async () => {
    finished = true;
    const { client, results } = await started;
    await results.return?.();
    await client.dispose();
  };
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  return {
    async next() {
      if (finished) return done();
      const { results } = await started;
      try {
        const step = await results.next();
        if (step.done) await finish();
        return step.done ? done() : { value: step.value as ExecutionResult, done: false };
      } catch (error) {
        await finish();
        // An `error` message (a refused document) arrives as its list of GraphQL errors.
        if (Array.isArray(error))
          return { value: { errors: error } as unknown as ExecutionResult, done: false };
        if (isCloseEvent(error))
          throw new Error(`Socket closed with event ${error.code} ${error.reason}`.trim(), { cause: error });
        throw error;
      }
    },
    async return() {
      await finish();
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** By the text about to be sent: the editor's parsed document may lag behind it. */
function isSubscription(params: Params, document: DocumentNode | undefined): boolean {
  let ast = document;
  try {
    ast = parse(params.query);
  } catch {
    // Not parsable: the server says why, over HTTP.
  }
  return (
    ast !== undefined && getOperationAST(ast, params.operationName ?? undefined)?.operation === 'subscription'
  );
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface CallGateOptions {
  /** Which call waits: by operation (`BatchGetItem`) and how many calls of it were sent so far (1-based). */
  readonly hold: (operation: string, count: number) => boolean;
  /** Which call, once answered, lets the held ones go. */
  readonly releaseAfter: (operation: string) => boolean;
}

/**
 * Orders two requests in flight at once, deterministically: the calls matching `hold` wait
 * before they are sent until a call matching `releaseAfter` has been answered (one interleaving
 * of a race that timing alone would give only now and then). Returns the function that removes it.
 */
export function gateCalls(client: DynamoDBClient, options: CallGateOptions): () => void {
  const name = `test-call-gate-${Math.random().toString(36).slice(2)}`;
  const counts = new Map<string, number>();
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const count = (counts.get(operation) ?? 0) + 1;
      counts.set(operation, count);
      if (options.hold(operation, count)) await released;
      const result = await next(args);
      if (options.releaseAfter(operation)) release();
      return result;
    },
    // Once per call, outside the retry loop.
    { step: 'initialize', name },
  );
  return () => {
    release();
    client.middlewareStack.remove(name);
  };
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LostResponses {
  /** How many answers were lost so far (each one made the SDK send its request again). */
  lost(): number;
  remove(): void;
}

export interface LostResponseOptions {
  /** Which calls lose their first answer, by operation (`PutItem`) and input. */
  readonly when: (operation: string, input: Record<string, unknown>) => boolean;
}

/**
 * The answer to the first attempt of each matching call is lost after the database has
 * processed it: the request reaches the emulator (which applies a write, or refuses it), then
 * the client sees a transient network error instead of the answer, and the SDK's retry
 * strategy sends the same request again, as when DynamoDB stalls past the request timeout.
 * The errors alternate between a timeout and a reset connection, the two ways it happens.
 */
export function loseFirstResponses(client: DynamoDBClient, options: LostResponseOptions): LostResponses {
  const name = `test-lose-first-response-${Math.random().toString(36).slice(2)}`;
  let lost = 0;
  client.middlewareStack.add(
    // The stack is resolved once per `send`: `attempt` counts the attempts of one call.
    (next, context) => {
      let attempt = 0;
      return async (args) => {
        attempt += 1;
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const losesAnswer = attempt === 1 && options.when(operation, args.input as Record<string, unknown>);
        if (!losesAnswer) return next(args);
        // Whatever the database answered, success or a refused condition, never arrives.
        await next(args).catch(() => undefined);
        lost += 1;
        throw lostAnswerError(lost);
      };
    },
    // Inside the retry loop (finalizeRequest wraps deserialize), and outermost in its step, so
    // that the answer is read (and its connection freed) before it is lost.
    { step: 'deserialize', priority: 'high', name },
  );
  return { lost: () => lost, remove: () => void client.middlewareStack.remove(name) };
}

/** A TimeoutError as the SDK's HTTP handler throws it, or Node's ECONNRESET. */
function lostAnswerError(count: number): Error {
  return count % 2 === 1
    ? Object.assign(new Error('Request timed out after the write was sent (injected)'), {
        name: 'TimeoutError',
      })
    : Object.assign(new Error('read ECONNRESET (injected)'), { code: 'ECONNRESET', errno: -104 });
}

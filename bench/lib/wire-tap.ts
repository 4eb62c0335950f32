import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { requestBodyText } from '../../test/helpers/dynamodb-recorder.js';

interface RecordedReply {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/**
 * `network`: requests go to the database and are counted. `record`: also keeps each reply.
 * `replay`: answers each request with the reply recorded for the same operation and body,
 * without touching the network, so what remains is the cost of our code and the SDK.
 */
export type WireMode = 'network' | 'record' | 'replay';

/**
 * An SDK middleware on the real client, at the innermost position of the stack (after
 * serialization, signing and retries, right before the HTTP handler): every HTTP attempt that
 * would leave the process passes here, so its counts are what the wire carries.
 */
export class WireTap {
  mode: WireMode = 'network';
  private readonly counts = new Map<string, number>();
  private readonly replies = new Map<string, RecordedReply>();

  static attach(client: DynamoDBClient): WireTap {
    const tap = new WireTap();
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as HttpRequest;
        const operation = operationOf(request);
        tap.counts.set(operation, (tap.counts.get(operation) ?? 0) + 1);
        const key = `${operation}\n${requestBodyText(request.body)}`;
        if (tap.mode === 'replay') {
          const reply = tap.replies.get(key);
          if (!reply) throw new Error(`wire tap: no recorded reply for ${operation}`);
          const response: HttpResponse = { ...reply, headers: { ...reply.headers }, body: reply.body };
          return { response, output: undefined as never };
        }
        const result = await next(args);
        if (tap.mode === 'record') {
          const response = result.response as HttpResponse;
          const body = await readAll(response.body as AsyncIterable<Uint8Array>);
          response.body = body;
          tap.replies.set(key, { statusCode: response.statusCode, headers: { ...response.headers }, body });
        }
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'benchWireTap' },
    );
    return tap;
  }

  reset(): void {
    this.counts.clear();
  }

  /** Calls since the last reset, by DynamoDB operation (`GetItem`, `Query`, ...). */
  calls(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
}

/** The JSON protocol names the operation in a header: `X-Amz-Target: DynamoDB_20120810.GetItem`. */
function operationOf(request: HttpRequest): string {
  const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target');
  return target?.[1].split('.').pop() ?? 'unknown';
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One request a client sent: the operation and where it went. */
export interface RecordedCall {
  /** e.g. `PutItem`, `BatchGetItem`, `Query`. */
  readonly operation: string;
  readonly tables: readonly string[];
  readonly indexName: string | undefined;
}

export interface CallRecorder {
  readonly calls: RecordedCall[];
  /** Operation names since the last `reset`, in order. */
  operations(): string[];
  reset(): void;
}

interface HttpRequestLike {
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Records every call the real client sends, once per call (retries not counted), read from
 * the serialized request itself: what DynamoDB (and IAM) would see.
 */
export function recordCalls(client: DynamoDBClient, calls: RecordedCall[] = []): CallRecorder {
  let since = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as HttpRequestLike;
      const operation = (request.headers?.['x-amz-target'] ?? 'unknown').replace(/^DynamoDB_\d+\./, '');
      const body = JSON.parse(requestBodyText(request.body) || '{}') as {
        TableName?: string;
        IndexName?: string;
        RequestItems?: Record<string, unknown>;
      };
      const tables = body.TableName ? [body.TableName] : Object.keys(body.RequestItems ?? {});
      calls.push({ operation, tables, indexName: body.IndexName });
      return next(args);
    },
    { step: 'build', name: `test-record-calls-${Math.random().toString(36).slice(2)}` },
  );
  return {
    calls,
    operations: () => calls.slice(since).map((c) => c.operation),
    reset: () => void (since = calls.length),
  };
}

/**
 * A serialized request body as text. The SDK's JSON body is a Uint8Array subclass that warns
 * when used as a string (as `String()` or `Buffer.from()` would): its bytes are read instead.
 */
export function requestBodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return '';
}

export interface FaultContext {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** 1-based: how many times this middleware has seen a request so far. */
  readonly attempt: number;
}

type Fault = (context: FaultContext) => Error | undefined;

/**
 * Fails requests on the wire, per attempt, inside the client's retry loop (as a real
 * throttling or outage would): when `fault` returns an error it is thrown instead of sending.
 * Returns the function that removes the fault.
 */
export function injectFault(client: DynamoDBClient, fault: Fault): () => void {
  const name = `test-fault-${Math.random().toString(36).slice(2)}`;
  let attempt = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      attempt += 1;
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const error = fault({ operation, input: args.input as Record<string, unknown>, attempt });
      if (error) throw error;
      return next(args);
    },
    { step: 'deserialize', name },
  );
  return () => void client.middlewareStack.remove(name);
}

/** Rewrites the output of successful requests (e.g. to leave keys unprocessed). */
export function rewriteOutput(
  client: DynamoDBClient,
  rewrite: (operation: string, output: Record<string, unknown>) => void,
): () => void {
  const name = `test-rewrite-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      rewrite(
        (context.commandName ?? '').replace(/Command$/, ''),
        result.output as unknown as Record<string, unknown>,
      );
      return result;
    },
    // Outermost in its step: it sees the output once deserialized.
    { step: 'deserialize', priority: 'high', name },
  );
  return () => void client.middlewareStack.remove(name);
}

/** An error shaped as the SDK would deserialize it from DynamoDB. */
export function awsError(name: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts the HTTP requests the clients send, by DynamoDB operation, retries included (it sits
 * inside the SDK's retry loop, as the throttle does): what the tables were asked to serve.
 */
export class RequestMeter {
  private readonly counts = new Map<string, number>();
  private sent = 0;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        const operation = operationOf(args.request);
        this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
        this.sent += 1;
        return next(args);
      },
      { step: 'deserialize', name: 'migrateRequestMeter' },
    );
  }

  get total(): number {
    return this.sent;
  }

  /** Requests by operation (`Scan`, `BatchGetItem`, ...), sorted by name. */
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** The JSON protocol names the operation in a header: `X-Amz-Target: DynamoDB_20120810.Scan`. */
function operationOf(request: unknown): string {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  const target = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-amz-target');
  return target?.[1].split('.').pop() ?? 'Unknown';
}

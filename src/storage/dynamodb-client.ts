import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken } from '@smithy/types';
import { traced } from '../observability/tracing.js';

export interface DynamoClientOptions {
  readonly region: string;
  /** An emulator's URL; unset talks to AWS with the ambient credentials. */
  readonly endpoint?: string | undefined;
  /** Total attempts per call, first try included. */
  readonly maxAttempts?: number;
  /** Backoff before retry n (1-based) is a random delay up to min(cap, base * 2^(n-1)). */
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Told of every failed attempt (the service's DynamoDBThrottles and DynamoDBRetries metrics). */
  readonly retryObserver?: RetryObserver | undefined;
}

/** A failed attempt of a call: the kind of error, and whether the strategy tries again. */
export interface RetryObserver {
  failedAttempt(errorType: RetryErrorType, retried: boolean): void;
}

export const CLIENT_DEFAULTS = {
  maxAttempts: 3,
  retryBaseDelayMs: 50,
  retryMaxDelayMs: 400,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 3_000,
} as const;

/**
 * The one way this service builds a DynamoDB client. Timeouts are short and retries bounded
 * (attempts and backoff alike) so that a dead or throttling database fails a request within
 * seconds — as `UnavailableError`, see `storage-errors.ts` — instead of hanging it until the
 * Lambda times out. Worst case per call: maxAttempts × (connect + request timeout) plus
 * (maxAttempts − 1) × retryMaxDelayMs. With TRACING=full, X-Ray records each call.
 */
export function createDynamoClient(options: DynamoClientOptions): DynamoDBClient {
  const settings = { ...CLIENT_DEFAULTS, ...definedOnly(options) };
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    // Emulators accept any credentials; AWS uses the execution role's.
    ...(options.endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    retryStrategy: new BoundedRetryStrategy(
      settings.maxAttempts,
      settings.retryBaseDelayMs,
      settings.retryMaxDelayMs,
      options.retryObserver,
    ),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without it the handler only logs a warning and waits on: a hung request would hang us.
      throwOnRequestTimeout: true,
    }),
  });
  return traced(client);
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * Retries throttling, transient (timeouts, dropped connections) and server errors with capped,
 * fully jittered exponential backoff, never more than `maxAttempts` in all. Unlike the SDK's
 * standard strategy its worst-case delay is known from configuration alone.
 */
export class BoundedRetryStrategy implements RetryStrategyV2 {
  constructor(
    private readonly maxAttempts: number,
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly observer?: RetryObserver,
  ) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retries = token.getRetryCount() + 1;
    const retried = errorInfo.errorType !== 'CLIENT_ERROR' && retries < this.maxAttempts;
    this.observer?.failedAttempt(errorInfo.errorType, retried);
    if (!retried) throw new Error('no retry left');
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retries - 1));
    return retryToken(retries, Math.floor(Math.random() * ceiling));
  }

  recordSuccess(): void {}
}

function retryToken(retryCount: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retryCount, getRetryDelay: () => delayMs };
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UnavailableError } from '../domain/errors.js';

// DynamoDB's own names for "too busy" and "broken for a moment".
const UNAVAILABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

// Node's socket errors, as the HTTP handler passes them through.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Turns a database that is down, slow or throttling (after the client's bounded retries)
 * into `UnavailableError`; anything else (a bug, a missing table, a denied action) stays
 * what it is, to be logged and masked as a 500.
 */
export function toStorageError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof UnavailableError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // Any server-side failure (5xx) that outlived the retries is the database's, not a bug of ours.
  const serverFault = status !== undefined && status >= 500;
  if (UNAVAILABLE_ERRORS.has(error.name) || (code && NETWORK_CODES.has(code)) || serverFault) {
    return new UnavailableError('Database temporarily unavailable, retry shortly', 1, { cause: error });
  }
  return error;
}

/** Runs one database call, mapping an outage to `UnavailableError`. */
export async function storageCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStorageError(error);
  }
}

export function isConditionFailure(error: unknown): error is Error & { Item?: Record<string, unknown> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The row a failed condition met: the one DynamoDB returned with the failure
 * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`), or, from a server that returns none
 * (dynalite), one consistent read on this failure path only. Null when there is no row.
 */
export async function rowAtConditionFailure(
  error: Error & { Item?: Record<string, unknown> },
  client: DynamoDBDocumentClient,
  tableName: string,
  id: string,
): Promise<Record<string, unknown> | null> {
  if (error.Item) return unmarshall(error.Item as Parameters<typeof unmarshall>[0]);
  const output = await storageCall(() =>
    client.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true })),
  );
  return output.Item ?? null;
}

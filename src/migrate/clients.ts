import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StorageConfig } from '../config.js';
import { createDocumentClient, createDynamoClient } from '../storage/dynamodb-client.js';
import type { RequestMeter } from './request-meter.js';
import { throttleClient, type TokenBucket } from './throttle.js';

/**
 * A batch job, not a request: it would rather wait out throttling and a slow answer than stop
 * halfway, so it gets more attempts and longer timeouts than the service's client.
 */
const MIGRATION_CLIENT = {
  maxAttempts: 8,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5_000,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 20_000,
} as const;

export interface MigrationClient {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
}

/**
 * One client, built the service's way (emulator credentials with DYNAMODB_ENDPOINT, otherwise the
 * default chain the AWS CLI uses), counted by `meter` and, when given, throttled by `bucket`.
 */
export function createMigrationClient(
  storage: Pick<StorageConfig, 'region' | 'dynamodbEndpoint'>,
  meter: RequestMeter,
  bucket: TokenBucket | undefined,
): MigrationClient {
  const client = createDynamoClient({
    region: storage.region,
    endpoint: storage.dynamodbEndpoint,
    ...MIGRATION_CLIENT,
  });
  meter.attach(client);
  if (bucket) throttleClient(client, bucket);
  return { client, doc: createDocumentClient(client) };
}

/**
 * The region as the AWS CLI would pick it when neither REGION nor AWS_REGION is set: from the
 * profile's configuration. Undefined when nothing names one.
 */
export async function regionFromProfile(): Promise<string | undefined> {
  const probe = new DynamoDBClient({});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

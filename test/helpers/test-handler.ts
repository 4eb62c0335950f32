import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fileURLToPath } from 'node:url';
import { composeApp } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import type { ApiHandler } from '../../src/http/api-gateway.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createLogger } from '../../src/logger.js';
import { dynamoDbRetryMetrics } from '../../src/observability/dynamodb-metrics.js';
import { createServiceMetrics } from '../../src/observability/metrics.js';
import { configureTracing } from '../../src/observability/tracing.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';

export interface TestHandler {
  readonly handler: ApiHandler;
  readonly dynamo: EmbeddedDynamo;
  /** The handler's own DynamoDB client: add SDK middleware to count calls or inject faults. */
  readonly client: DynamoDBClient;
  /** Every log line the handler wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The Lambda handler exactly as `src/lambda.ts` builds it, on an in-memory emulator. */
export async function createTestHandler(env: Record<string, string> = {}): Promise<TestHandler> {
  const dynamo = await startEmbeddedDynamo();
  const config = loadConfig({
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOG_LEVEL: 'info',
    BCRYPT_COST: '4',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(config.logLevel, (line) =>
    logs.push(JSON.parse(line) as Record<string, unknown>),
  );
  // Metrics and tracing stay off unless the test's env turns them on (METRICS_NAMESPACE, TRACING).
  configureTracing(config, logger);
  const metrics = createServiceMetrics({
    namespace: config.metricsNamespace,
    serviceName: config.serviceName,
    logger,
  });
  const client = createDynamoClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    retryObserver: dynamoDbRetryMetrics(metrics),
  });
  await ensureTables(client, { users: config.usersTable, items: config.itemsTable });
  const handler = composeApp({
    config,
    logger,
    dynamo: createDocumentClient(client),
    signingKey: 'test-signing-key-that-is-at-least-32-bytes-long',
    assetsDir: fileURLToPath(new URL('../../build/assets', import.meta.url)),
    metrics,
  });
  return { handler, dynamo, client, logs, stop: () => dynamo.close() };
}

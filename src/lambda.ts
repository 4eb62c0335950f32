import { fileURLToPath } from 'node:url';
import { loadSigningKey } from './auth/signing-key.js';
import { composeApp } from './composition-root.js';
import { loadConfig } from './config.js';
import type { ApiHandler } from './http/api-gateway.js';
import { createLogger } from './logger.js';
import { dynamoDbRetryMetrics } from './observability/dynamodb-metrics.js';
import { createServiceMetrics } from './observability/metrics.js';
import { configureTracing, tracingReady } from './observability/tracing.js';
import type { StreamHandler } from './realtime/publisher.js';
import type { WebSocketHandler } from './realtime/websocket-handler.js';
import { createDocumentClient, createDynamoClient } from './storage/dynamodb-client.js';

// Module scope runs once per cold start: configuration, clients and the Apollo server are
// built here and reused by every invocation the container serves.
const config = loadConfig();
const logger = createLogger(config.logLevel);
// Before any AWS client exists: with TRACING=full, each one made from here on is traced.
configureTracing(config, logger);
// One per process: its first flush counts the cold start.
const metrics = createServiceMetrics({
  namespace: config.metricsNamespace,
  serviceName: config.serviceName,
  logger,
});
const dynamo = createDocumentClient(
  createDynamoClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    retryObserver: dynamoDbRetryMetrics(metrics),
  }),
);

// The image copies build/assets to ${LAMBDA_TASK_ROOT}/assets. Elsewhere (a local run of this
// entry point, from src/ or from the dist/ bundle) the repo's build/assets is one level up. The
// fallback is only evaluated off Lambda: a CommonJS bundle has no import.meta.url.
const assetsDir = process.env.LAMBDA_TASK_ROOT
  ? `${process.env.LAMBDA_TASK_ROOT}/assets`
  : fileURLToPath(new URL('../build/assets', import.meta.url));

let ready: Promise<ApiHandler> | undefined;

async function init(): Promise<ApiHandler> {
  // TRACING=full: the X-Ray SDK loads here, in the first invocation (not in Init, and never with
  // active or off), so that the Secrets Manager call below is traced too.
  await tracingReady();
  const signingKey = await loadSigningKey(config);
  return composeApp({ config, logger, dynamo, signingKey, assetsDir, metrics });
}

/** The Lambda entry point named by the Dockerfile's CMD. */
export const handler: ApiHandler = async (event, context) => {
  // A failed init (the secret unreadable for a moment) is retried by the next invocation.
  ready ??= init().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)(event, context);
};

// GraphQL subscriptions (issue 12): two more functions from the same image, each naming its
// handler in its CMD. Their code is imported on their first invocation, never by the REST
// function above, whose cold start stays what it was.
let websocket: Promise<WebSocketHandler> | undefined;
let publisher: Promise<StreamHandler> | undefined;

const realtime = () => import('./realtime/lambda-handlers.js');

/** `index.websocketHandler`: the API Gateway WebSocket API's `$connect`, `$disconnect` and `$default`. */
export const websocketHandler: WebSocketHandler = async (event) => {
  websocket ??= tracingReady()
    .then(realtime)
    .then((module) => module.createWebSocketFunction({ config, logger, dynamo, metrics }))
    .catch((error: unknown) => {
      websocket = undefined;
      throw error;
    });
  return (await websocket)(event);
};

/** `index.streamHandler`: the items table's stream, posted to subscribers; answers `batchItemFailures`. */
export const streamHandler: StreamHandler = async (event) => {
  publisher ??= tracingReady()
    .then(realtime)
    .then((module) => module.createStreamFunction({ config, logger, dynamo, metrics }))
    .catch((error: unknown) => {
      publisher = undefined;
      throw error;
    });
  return (await publisher)(event);
};

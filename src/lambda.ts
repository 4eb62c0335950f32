import { fileURLToPath } from 'node:url';
import { loadSigningKey } from './auth/signing-key.js';
import { composeApp } from './composition-root.js';
import { loadConfig } from './config.js';
import type { ApiHandler } from './http/api-gateway.js';
import { createLogger } from './logger.js';
import { createDocumentClient, createDynamoClient } from './storage/dynamodb-client.js';

// Module scope runs once per cold start: configuration, clients and the Apollo server are
// built here and reused by every invocation the container serves.
const config = loadConfig();
const logger = createLogger(config.logLevel);
const dynamo = createDocumentClient(
  createDynamoClient({ region: config.region, endpoint: config.dynamodbEndpoint }),
);

// The image copies build/assets to ${LAMBDA_TASK_ROOT}/assets. Elsewhere (a local run of this
// entry point, from src/ or from the dist/ bundle) the repo's build/assets is one level up. The
// fallback is only evaluated off Lambda: a CommonJS bundle has no import.meta.url.
const assetsDir = process.env.LAMBDA_TASK_ROOT
  ? `${process.env.LAMBDA_TASK_ROOT}/assets`
  : fileURLToPath(new URL('../build/assets', import.meta.url));

let ready: Promise<ApiHandler> | undefined;

async function init(): Promise<ApiHandler> {
  const signingKey = await loadSigningKey(config);
  return composeApp({ config, logger, dynamo, signingKey, assetsDir });
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

import { createHandler } from './app.js';
import { loadSigningKey } from './auth/signing-key.js';
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

let ready: Promise<ApiHandler> | undefined;

async function init(): Promise<ApiHandler> {
  const signingKey = await loadSigningKey(config);
  return createHandler({ config, logger, dynamo, signingKey });
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

import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadSigningKey } from '../auth/signing-key.js';
import { createRequestContextFactory, createTokens } from '../composition-root.js';
import type { Config } from '../config.js';
import { createExecutableSchema } from '../graphql/executable-schema.js';
import type { Logger } from '../logger.js';
import { NO_METRICS, type ServiceMetrics } from '../observability/metrics.js';
import { ConnectionStore } from './connection-store.js';
import { managementApis } from './management-api.js';
import { createPublisher, type StreamHandler } from './publisher.js';
import { subscriberContexts } from './subscriber-context.js';
import { subscriptionDocuments } from './subscription-document.js';
import { createWebSocketHandler, type WebSocketHandler } from './websocket-handler.js';

/**
 * The composition of the two subscription functions, loaded by `lambda.ts` on their first
 * invocation only: the REST function's cold start never evaluates any of this.
 */
export interface RealtimeDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly dynamo: DynamoDBDocumentClient;
  readonly metrics?: ServiceMetrics;
}

/** `websocketHandler`: API Gateway WebSocket routes; it verifies tokens, so it loads the signing key. */
export async function createWebSocketFunction(deps: RealtimeDependencies): Promise<WebSocketHandler> {
  const { config, logger, metrics = NO_METRICS } = deps;
  const schema = createExecutableSchema();
  const handle = createWebSocketHandler({
    store: new ConnectionStore(deps.dynamo, config.connectionsTable),
    messengers: managementApis({ region: config.region }),
    managementEndpoint: config.websocketManagementEndpoint,
    tokens: createTokens(config, await loadSigningKey(config)),
    prepare: subscriptionDocuments(schema, { hideFieldSuggestions: !config.graphqlIntrospection }),
    logger,
  });
  // What the event counted (a cold start, DynamoDB throttles and retries) is written per event.
  return async (event) => {
    try {
      return await handle(event);
    } finally {
      metrics.flush();
    }
  };
}

/** `streamHandler`: the items stream's publisher. It verifies no token and holds no signing key. */
export function createStreamFunction(deps: RealtimeDependencies): StreamHandler {
  const { config, logger } = deps;
  if (!config.websocketManagementEndpoint) {
    throw new Error('WEBSOCKET_MANAGEMENT_ENDPOINT must be set for the subscriptions publisher');
  }
  const schema = createExecutableSchema();
  // Request contexts want a key for the cursors and tokens they could make; nothing a
  // subscription may select makes either (`User.items` is refused at subscribe time), so a
  // key of this process's own stands in for the signing key this function is not granted.
  const unusedKey = randomBytes(48).toString('base64url');
  return createPublisher({
    store: new ConnectionStore(deps.dynamo, config.connectionsTable),
    messenger: managementApis({ region: config.region })(config.websocketManagementEndpoint),
    schema,
    prepare: subscriptionDocuments(schema, { hideFieldSuggestions: !config.graphqlIntrospection }),
    contexts: subscriberContexts(
      createRequestContextFactory({ config, logger, dynamo: deps.dynamo, signingKey: unusedKey }),
    ),
    logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}

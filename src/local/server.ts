import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { loadSigningKey } from '../auth/signing-key.js';
import { composeApp } from '../composition-root.js';
import type { Config } from '../config.js';
import type { ApiResult } from '../http/api-gateway.js';
import { requestIdFor } from '../http/request.js';
import { createLogger, type Logger } from '../logger.js';
import { dynamoDbRetryMetrics } from '../observability/dynamodb-metrics.js';
import { createServiceMetrics } from '../observability/metrics.js';
import { configureTracing } from '../observability/tracing.js';
import { restErrorResult } from '../rest/error-boundary.js';
import { createDocumentClient, createDynamoClient } from '../storage/dynamodb-client.js';
import { ensureTables } from './bootstrap-tables.js';
import { ensureDataDir } from './data-dir.js';
import { devSigningKey } from './dev-signing-key.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './embedded-dynamodb.js';
import { readBody, sendProxyResult, toProxyEvent } from './http-adapter.js';
import { LocalChangeSource, serveSubscriptions } from './local-realtime.js';
import type { LocalSubscriptions } from '../realtime/local-subscriptions.js';

/** Built by `npm run build:assets` (run by `npm start`, `npm run dev` and the test setup). */
const ASSETS_DIR = fileURLToPath(new URL('../../build/assets', import.meta.url));

export interface LocalServer {
  /** Where the API answers, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  /** Where GraphQL subscriptions connect (graphql-transport-ws), e.g. ws://127.0.0.1:3000/graphql */
  readonly subscriptionsUrl: string;
  /** Subscriptions listening for changes right now (for tests and the bench to know they are live). */
  activeSubscriptions(): number;
  /** The DynamoDB endpoint in use (the embedded emulator's, or DYNAMODB_ENDPOINT). */
  readonly dynamodbEndpoint: string;
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  readonly embedded: boolean;
  /**
   * Stops accepting requests, finishes those in flight, closes the WebSocket connections (1001,
   * going away), then closes the emulator's store.
   */
  close(): Promise<void>;
}

export interface LocalServerOptions {
  readonly config: Config;
  readonly logger?: Logger;
  /** Interface to listen on; loopback unless told otherwise. */
  readonly host?: string;
}

/** node:http → API Gateway proxy event → the Lambda handler → HTTP response. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  // As in Lambda: off unless configured (METRICS_NAMESPACE; TRACING=full and an X-Ray daemon).
  configureTracing(config, logger);
  const metrics = createServiceMetrics({
    namespace: config.metricsNamespace,
    serviceName: config.serviceName,
    logger,
  });
  const dataDir = await ensureDataDir(config.dataDir);

  // Every write to the items table, whoever makes it, reaches the subscriptions through here.
  const changes = new LocalChangeSource(config, logger);
  const embedded: EmbeddedDynamo | undefined = config.dynamodbEndpoint
    ? undefined
    : await startEmbeddedDynamo({ dataDir, tapWrites: changes.tapOptions() });
  const endpoint = config.dynamodbEndpoint ?? (embedded as EmbeddedDynamo).endpoint;
  let server: Server | undefined;
  let subscriptions: LocalSubscriptions | undefined;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  try {
    const client = createDynamoClient({
      region: config.region,
      endpoint,
      retryObserver: dynamoDbRetryMetrics(metrics),
    });
    await ensureTables(client, {
      users: config.usersTable,
      items: config.itemsTable,
      connections: config.connectionsTable,
    });
    if (config.dynamodbEndpoint) await changes.follow(config.dynamodbEndpoint);
    // The configured key (JWT_SECRET, or the secret at JWT_SECRET_ARN) as in Lambda; else a dev key.
    const signingKey =
      config.jwtSecret || config.jwtSecretArn ? await loadSigningKey(config) : await devSigningKey(dataDir);
    const dynamo = createDocumentClient(client);
    const handler = composeApp({
      config,
      logger,
      dynamo,
      signingKey,
      assetsDir: ASSETS_DIR,
      metrics,
    });

    const serve = async (req: IncomingMessage, res: ServerResponse) => {
      // API Gateway's own request id, as in AWS: the handler uses it unless the client sent one.
      const gatewayId = randomUUID();
      let result: ApiResult;
      inFlight++;
      try {
        result = await handler(toProxyEvent(req, await readBody(req), gatewayId), lambdaContext());
      } catch (error) {
        // A failure of this adapter itself (the handler answers every error of its own).
        const requestId = requestIdFor(req.headers['x-request-id']?.toString(), gatewayId);
        result = restErrorResult(error, requestId, logger);
        result.headers = { ...result.headers, 'x-request-id': requestId };
      } finally {
        if (--inFlight === 0) drained?.();
      }
      if (!res.headersSent) sendProxyResult(res, result);
    };
    server = createServer((req, res) => void serve(req, res));
    subscriptions = serveSubscriptions({ server, config, logger, dynamo, signingKey, feed: changes.feed });
    await listen(server, config.port, options.host ?? '127.0.0.1');
  } catch (error) {
    await subscriptions?.close(0).catch(() => undefined);
    await changes.stop().catch(() => undefined);
    await embedded?.close().catch(() => undefined);
    throw error;
  }

  const { address, port } = server.address() as AddressInfo;
  const running = server;
  const live = subscriptions;
  const host = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    url: `http://${host}`,
    subscriptionsUrl: `ws://${host}/graphql`,
    activeSubscriptions: () => changes.feed.listeners,
    dynamodbEndpoint: endpoint,
    dataDir,
    embedded: embedded !== undefined,
    close: async () => {
      const closed = new Promise<void>((done) => running.close(() => done()));
      running.closeIdleConnections();
      // Requests in flight finish first (their changes still reach the subscribers), then the
      // sockets close with 1001 (going away), then the store.
      if (inFlight > 0) await new Promise<void>((done) => (drained = done));
      await live?.close();
      await closed;
      await changes.stop();
      await embedded?.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}

/** The parts of a Lambda context the handler reads; locally there is no deadline to report. */
function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
    memoryLimitInMB: '0',
    awsRequestId: 'local',
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

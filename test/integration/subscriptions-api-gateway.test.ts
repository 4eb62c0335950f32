import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtTokens } from '../../src/auth/tokens.js';
import { composeApp, createRequestContextFactory } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { createExecutableSchema } from '../../src/graphql/executable-schema.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createLogger } from '../../src/logger.js';
import { ConnectionStore } from '../../src/realtime/connection-store.js';
import { managementApis } from '../../src/realtime/management-api.js';
import { createPublisher } from '../../src/realtime/publisher.js';
import { subscriberContexts } from '../../src/realtime/subscriber-context.js';
import { subscriptionDocuments } from '../../src/realtime/subscription-document.js';
import { createWebSocketHandler, type WebSocketHandler } from '../../src/realtime/websocket-handler.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { tables } from '../../src/storage/tables.js';
import { startApiGatewayWebSocket, type ApiGatewayWebSocket } from '../helpers/api-gateway-websocket.js';
import { restThroughHandler, type HandlerRequest } from '../helpers/rest-through-handler.js';
import { socketClient, subscribe, until, type SocketClient } from '../helpers/subscriptions.js';

const SECRET = 'api-gateway-test-signing-key-of-at-least-32-bytes';

/**
 * The AWS path end to end with the real graphql-ws client: a local stand-in for API Gateway's
 * WebSocket API invoking the real `websocketHandler`, writes through the service's handler, each
 * write's stream-shaped record handed to the real publisher at once (as the event source
 * mapping would), and its posts delivered over the client's socket.
 */
describe('Subscriptions through an API Gateway WebSocket stand-in, with the real graphql-ws client', () => {
  let dynamo: EmbeddedDynamo;
  let gateway: ApiGatewayWebSocket;
  let rest: HandlerRequest;
  let store: ConnectionStore;
  const published: Promise<unknown>[] = [];
  const clients: SocketClient[] = [];
  const config = loadConfig({ JWT_SECRET: SECRET, LOG_LEVEL: 'silent', BCRYPT_COST: '4' });
  const tokens = new JwtTokens({
    signingKey: SECRET,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlMinutes: 15,
  });

  const register = async () => {
    const username = `gw_${Math.random().toString(36).slice(2, 10)}`;
    const response = await rest('POST', '/user/register', {
      json: { username, password: 'correct horse battery' },
    });
    return { username, token: (response.body as { access_token: string }).access_token };
  };
  const connect = (token: string | undefined, options: { keepAlive?: number; retry?: boolean } = {}) => {
    const socket = socketClient(gateway.url, token, options);
    clients.push(socket);
    return socket;
  };

  beforeAll(async () => {
    let publish: (records: DynamoDBRecord[]) => Promise<unknown> = async () => undefined;
    dynamo = await startEmbeddedDynamo({
      tapWrites: {
        tableName: config.itemsTable,
        keyNames: [tables.items.partitionKey.name],
        onRecords: (records) => void published.push(publish(records)),
        onProblem: (problem, error) => {
          throw new Error(`${problem}: ${String(error)}`);
        },
      },
    });
    const client = createDynamoClient({ region: config.region, endpoint: dynamo.endpoint });
    await ensureTables(client, {
      users: config.usersTable,
      items: config.itemsTable,
      connections: config.connectionsTable,
    });
    const doc = createDocumentClient(client);
    store = new ConnectionStore(doc, config.connectionsTable);
    const logger = createLogger('silent');
    rest = restThroughHandler(
      composeApp({
        config,
        logger,
        dynamo: doc,
        signingKey: SECRET,
        assetsDir: fileURLToPath(new URL('../../build/assets', import.meta.url)),
      }),
    );
    const schema = createExecutableSchema();
    const prepare = subscriptionDocuments(schema, { hideFieldSuggestions: false });
    const messengers = managementApis({
      region: config.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    let websocket: WebSocketHandler | undefined;
    gateway = await startApiGatewayWebSocket(() => {
      websocket ??= createWebSocketHandler({
        store: new ConnectionStore(doc, config.connectionsTable),
        messengers,
        managementEndpoint: gateway.managementEndpoint,
        tokens,
        prepare,
        logger,
      });
      return websocket;
    });
    const publisher = createPublisher({
      store: new ConnectionStore(doc, config.connectionsTable),
      messenger: messengers(gateway.managementEndpoint),
      schema,
      prepare,
      contexts: subscriberContexts(
        createRequestContextFactory({ config, logger, dynamo: doc, signingKey: SECRET }),
      ),
      logger,
    });
    publish = (records) => publisher({ Records: records });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await Promise.all(published);
    await gateway?.close();
    await dynamo?.close();
  });

  it("delivers the subscriber's changes as they are written, and nothing of another user's", async () => {
    // Prepare
    const [alice, bob] = [await register(), await register()];
    const subscription = subscribe(
      connect(alice.token).client,
      'subscription { itemChanged { kind item { name owner { username } } } }',
    );
    await sleep(200);

    // Act
    await rest('POST', '/item/', { token: bob.token, json: { name: "bob's" } });
    const created = await rest('POST', '/item/', { token: alice.token, json: { name: "alice's" } });
    await rest('DELETE', `/item/${(created.body as { id: string }).id}`, { token: alice.token });
    const events = await subscription.received(2);
    await sleep(100);

    // Assess
    expect(events).toEqual([
      {
        data: {
          itemChanged: { kind: 'CREATED', item: { name: "alice's", owner: { username: alice.username } } },
        },
      },
      { data: { itemChanged: { kind: 'DELETED', item: null } } },
    ]);
    expect(subscription.events).toHaveLength(2);
  });

  it.each([
    ['no token', undefined],
    ['a forged token', jwt.sign({ sub: 'x' }, 'z'.repeat(40), { expiresIn: 60 })],
  ])(
    'refuses %s so that the client stops for good: one connection attempt, no reconnect loop',
    async (_name, token) => {
      // Prepare: retries on, as graphql-ws clients have them by default
      const before = gateway.connectAttempts;
      const socket = connect(token, { retry: true });

      // Act
      const { ended } = subscribe(socket.client, 'subscription { itemChanged { kind } }');
      const outcome = await ended;
      await sleep(1_500);

      // Assess
      expect(outcome).toEqual({
        error: expect.objectContaining({ message: 'First message cannot be of type error' }),
      });
      expect(gateway.connectAttempts - before).toBe(1);
    },
  );

  it("keeps the connection alive with the client's keepAlive pings, answered with pongs", async () => {
    // Prepare
    const { token } = await register();
    const pongs: number[] = [];
    const socket = socketClient(gateway.url, token, { keepAlive: 50 });
    clients.push(socket);
    socket.client.on('pong', (received) => void (received && pongs.push(Date.now())));

    // Act
    subscribe(socket.client, 'subscription { itemChanged { kind } }');
    await until(() => pongs.length >= 3, 5_000);

    // Assess
    expect(socket.closes).toEqual([]);
  });

  it('forgets a closed connection ($disconnect) and completes what the client completes', async () => {
    // Prepare
    const { token } = await register();
    const userId = (jwt.decode(token) as { sub: string }).sub;
    const socket = connect(token);
    const subscription = subscribe(socket.client, 'subscription { itemChanged { kind } }');
    await until(async () => (await store.subscriptionsOf(userId)).length === 1);

    // Act
    subscription.unsubscribe();

    // Assess: the lazy client closes its socket once nothing is subscribed
    await until(() => socket.closes.length > 0);
    expect(socket.closes[0]?.code).toBe(1000);
    await until(async () => (await store.subscriptionsOf(userId)).length === 0);
  });
});

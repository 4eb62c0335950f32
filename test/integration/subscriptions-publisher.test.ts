import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JwtTokens } from '../../src/auth/tokens.js';
import { composeApp, createRequestContextFactory } from '../../src/composition-root.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createExecutableSchema } from '../../src/graphql/executable-schema.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startLocalServer } from '../../src/local/server.js';
import { createLogger } from '../../src/logger.js';
import { ConnectionStore } from '../../src/realtime/connection-store.js';
import { managementApis } from '../../src/realtime/management-api.js';
import { createPublisher, type StreamHandler } from '../../src/realtime/publisher.js';
import { subscriberContexts } from '../../src/realtime/subscriber-context.js';
import { subscriptionDocuments } from '../../src/realtime/subscription-document.js';
import { createWebSocketHandler, type WebSocketHandler } from '../../src/realtime/websocket-handler.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { PUBLISHER_DYNAMODB_ACTIONS } from '../../src/storage/tables.js';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-recorder.js';
import { actionsUsed, grantedActions } from '../helpers/table-grants.js';
import { startDynamoDBLocal, type RunningDynamo } from '../helpers/dynamodb-local.js';
import { openTableStream, type TableStream } from '../helpers/item-stream.js';
import { startManagementApiStub, type ManagementApiStub } from '../helpers/management-api-stub.js';
import { restThroughHandler, type HandlerRequest } from '../helpers/rest-through-handler.js';
import { socketClient, subscribe, until } from '../helpers/subscriptions.js';
import { webSocketEvent } from '../helpers/websocket-events.js';

const SIGNING_KEY = 'publisher-test-signing-key-of-at-least-32-bytes';
const SELECTION = `subscription {
  itemChanged { kind itemId version item { name version owner { username } } }
}`;

interface Event {
  readonly kind: string;
  readonly itemId: string;
  readonly version: number;
  readonly item: { name: string; version: number; owner: { username: string } } | null;
}

/**
 * The AWS path without AWS: real writes through the service's handler on DynamoDB Local, the
 * items table's REAL stream records read back from DynamoDB Local (dynalite has no streams)
 * and shaped as Lambda delivers them, connection rows written by the WebSocket handler, and
 * every PostToConnection received by a local server speaking the management API's protocol.
 */
describe('Publisher (items stream → PostToConnection), on DynamoDB Local', () => {
  let dynamo: RunningDynamo;
  let stub: ManagementApiStub;
  let config: Config;
  let doc: DynamoDBDocumentClient;
  let rest: HandlerRequest;
  let websocket: WebSocketHandler;
  let publish: StreamHandler;
  let publisherCalls: CallRecorder;
  let stream: TableStream;
  const logs: Record<string, unknown>[] = [];

  const register = async () => {
    const username = `pub_${randomUUID().slice(0, 8)}`;
    const response = await rest('POST', '/user/register', {
      json: { username, password: 'correct horse battery' },
    });
    const body = response.body as { access_token: string };
    const userId = (jwt.decode(body.access_token) as { sub: string }).sub;
    return { username, userId, token: body.access_token };
  };
  /** A connection initialised with `token` and one subscription `sub` of `query`. */
  const subscribed = async (token: string, query = SELECTION) => {
    const connectionId = `${randomUUID().slice(0, 12)}=`;
    const message = (body: unknown) => websocket(webSocketEvent('message', { connectionId, body }));
    await message({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
    await message({ type: 'subscribe', id: 'sub', payload: { query } });
    return connectionId;
  };
  const eventsTo = (connectionId: string) =>
    stub
      .messagesTo(connectionId)
      .filter((m) => m.type !== 'connection_ack')
      .map((m) => (m.payload as { data?: { itemChanged: Event } } | undefined)?.data?.itemChanged ?? m);
  const rowsOf = async (connectionId: string) =>
    (
      await doc.send(
        new QueryCommand({
          TableName: config.connectionsTable,
          KeyConditionExpression: 'connection_id = :id',
          ExpressionAttributeValues: { ':id': connectionId },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];
  const createItem = async (token: string, name: string) =>
    ((await rest('POST', '/item/', { token, json: { name } })).body as { id: string }).id;

  beforeAll(async () => {
    [dynamo, stub] = await Promise.all([startDynamoDBLocal(), startManagementApiStub('dev')]);
    config = loadConfig({
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      JWT_SECRET: SIGNING_KEY,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
    });
    const client = createDynamoClient({ region: config.region, endpoint: dynamo.endpoint });
    await ensureTables(client, {
      users: config.usersTable,
      items: config.itemsTable,
      connections: config.connectionsTable,
    });
    doc = createDocumentClient(client);
    const logger = createLogger('warn', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
    const assetsDir = fileURLToPath(new URL('../../build/assets', import.meta.url));
    rest = restThroughHandler(
      composeApp({ config, logger, dynamo: doc, signingKey: SIGNING_KEY, assetsDir }),
    );

    const schema = createExecutableSchema();
    const prepare = subscriptionDocuments(schema, { hideFieldSuggestions: false });
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    websocket = createWebSocketHandler({
      store: new ConnectionStore(doc, config.connectionsTable),
      messengers: managementApis({ region: config.region, credentials }),
      managementEndpoint: stub.endpoint,
      tokens: new JwtTokens({
        signingKey: SIGNING_KEY,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        ttlMinutes: 15,
      }),
      prepare,
      logger,
    });
    // The publisher's own client: its DynamoDB calls are counted on the wire.
    const publisherClient = createDynamoClient({ region: config.region, endpoint: dynamo.endpoint });
    publisherCalls = recordCalls(publisherClient);
    const publisherDoc = createDocumentClient(publisherClient);
    publish = createPublisher({
      store: new ConnectionStore(publisherDoc, config.connectionsTable),
      messenger: managementApis({ region: config.region, credentials })(stub.endpoint),
      schema,
      prepare,
      contexts: subscriberContexts(
        createRequestContextFactory({ config, logger, dynamo: publisherDoc, signingKey: SIGNING_KEY }),
      ),
      logger,
    });
  });
  afterAll(async () => {
    stream?.close();
    await stub?.close();
    await dynamo?.close();
  });
  beforeEach(async () => {
    stream?.close();
    stream = await openTableStream(dynamo.endpoint, config.region, config.itemsTable);
    stub.reset();
    logs.length = 0;
  });

  it("delivers A's create, update and delete, in order, to A's subscription only, with one Query for A", async () => {
    // Prepare
    const [a, b] = [await register(), await register()];
    const [toA, toB] = [await subscribed(a.token), await subscribed(b.token)];
    const id = await createItem(a.token, 'first');
    await rest('PUT', `/item/${id}`, { token: a.token, json: { name: 'renamed' } });
    await rest('DELETE', `/item/${id}`, { token: a.token });
    const records = await stream.take(3);
    const before = publisherCalls.calls.length;

    // Act
    const result = await publish({ Records: records });

    // Assess
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY']);
    expect(records.every((r) => r.eventSourceARN?.includes(`table/${config.itemsTable}/stream/`))).toBe(true);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventsTo(toA)).toEqual([
      {
        kind: 'CREATED',
        itemId: id,
        version: 1,
        item: { name: 'first', version: 1, owner: { username: a.username } },
      },
      {
        kind: 'UPDATED',
        itemId: id,
        version: 2,
        item: { name: 'renamed', version: 2, owner: { username: a.username } },
      },
      { kind: 'DELETED', itemId: id, version: 2, item: null },
    ]);
    expect(eventsTo(toB)).toEqual([]);
    // One Query per owner per batch; the owner loaded once for the batch (Item.owner).
    expect(publisherCalls.calls.slice(before)).toEqual([
      { operation: 'Query', tables: [config.connectionsTable], indexName: 'owner-index' },
      { operation: 'GetItem', tables: [config.usersTable], indexName: undefined },
    ]);
  });

  it('makes one Query per owner per batch, and one post per change per subscriber', async () => {
    // Prepare
    const [a, b] = [await register(), await register()];
    const subscribers = [await subscribed(a.token), await subscribed(a.token), await subscribed(b.token)];
    await createItem(a.token, 'a1');
    await createItem(b.token, 'b1');
    await createItem(a.token, 'a2');
    const records = await stream.take(3);
    const before = publisherCalls.calls.length;

    // Act
    await publish({ Records: records });

    // Assess
    const queries = publisherCalls.calls.slice(before).filter((c) => c.operation === 'Query');
    expect(queries).toEqual([
      { operation: 'Query', tables: [config.connectionsTable], indexName: 'owner-index' },
      { operation: 'Query', tables: [config.connectionsTable], indexName: 'owner-index' },
    ]);
    expect(subscribers.map((s) => eventsTo(s).map((e) => (e as Event).item?.name))).toEqual([
      ['a1', 'a2'],
      ['a1', 'a2'],
      ['b1'],
    ]);
    expect(stub.posts.filter((p) => p.message.type === 'next')).toHaveLength(5);
  });

  it("deletes a gone connection's rows (410) and still delivers to the others", async () => {
    // Prepare
    const a = await register();
    const [gone, alive] = [await subscribed(a.token), await subscribed(a.token)];
    stub.gone.add(gone);
    await createItem(a.token, 'after the tab closed');
    const records = await stream.take(1);

    // Act
    const result = await publish({ Records: records });

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await rowsOf(gone)).toEqual([]);
    expect((await rowsOf(alive)).map((r) => r.sk).sort()).toEqual(['connection', 'sub#sub']);
    expect(eventsTo(alive)).toMatchObject([{ kind: 'CREATED', item: { name: 'after the tab closed' } }]);
  });

  it('reports a failed post in batchItemFailures and delivers the rest of the batch', async () => {
    // Prepare
    const [a, b] = [await register(), await register()];
    const [failing, fine, other] = [
      await subscribed(a.token),
      await subscribed(a.token),
      await subscribed(b.token),
    ];
    stub.failing.add(failing);
    await createItem(a.token, 'a1');
    await createItem(b.token, 'b1');
    await createItem(a.token, 'a2');
    const records = await stream.take(3);

    // Act
    const result = await publish({ Records: records });

    // Assess: the failing subscriber's first record is retried (Lambda retries from it on)
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }] });
    expect(eventsTo(fine).map((e) => (e as Event).item?.name)).toEqual(['a1', 'a2']);
    expect(eventsTo(other).map((e) => (e as Event).item?.name)).toEqual(['b1']);
    expect(eventsTo(failing)).toEqual([]);
    expect(logs.some((l) => l.message === 'could not post a subscription event')).toBe(true);
  });

  it('ends a subscription whose token expired: a last UNAUTHENTICATED event, complete, its row deleted', async () => {
    // Prepare: a real token of the user that lives 1 second
    const a = await register();
    const short = jwt.sign({}, SIGNING_KEY, {
      subject: a.userId,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      expiresIn: 1,
    });
    const expired = await subscribed(short);
    await new Promise((done) => setTimeout(done, 1_100));
    await createItem(a.token, 'too late');
    const records = await stream.take(1);

    // Act
    const result = await publish({ Records: records });

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(stub.messagesTo(expired).slice(1)).toEqual([
      {
        id: 'sub',
        type: 'next',
        payload: { errors: [{ message: 'Token has expired', extensions: { code: 'UNAUTHENTICATED' } }] },
      },
      { id: 'sub', type: 'complete' },
    ]);
    expect((await rowsOf(expired)).map((r) => r.sk)).toEqual(['connection']);
  });

  it('reads every writer: a console delete of a live row, a tombstone expiring (nothing), a re-created item', async () => {
    // Prepare
    const a = await register();
    const to = await subscribed(a.token);
    const id = await createItem(a.token, 'short-lived');
    await rest('DELETE', `/item/${id}`, { token: a.token }); // live → tombstone
    await doc.send(new DeleteCommand({ TableName: config.itemsTable, Key: { id } })); // the tombstone's TTL
    await doc.send(
      new PutCommand({
        TableName: config.itemsTable,
        Item: { id, owner_id: a.userId, name: 'from the console' },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: config.itemsTable, Key: { id } })); // a console delete
    const records = await stream.take(5);

    // Act
    await publish({ Records: records });

    // Assess
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE', 'INSERT', 'REMOVE']);
    expect(eventsTo(to)).toEqual([
      { kind: 'CREATED', itemId: id, version: 1, item: expect.objectContaining({ name: 'short-lived' }) },
      { kind: 'DELETED', itemId: id, version: 1, item: null },
      {
        kind: 'CREATED',
        itemId: id,
        version: 1,
        item: expect.objectContaining({ name: 'from the console' }),
      },
      { kind: 'DELETED', itemId: id, version: 1, item: null },
    ]);
  });

  it('has sent exactly the DynamoDB actions tables.ts grants the publisher, no more, no fewer', () => {
    // Assess (over every test above)
    const tables = {
      users: config.usersTable,
      items: config.itemsTable,
      connections: config.connectionsTable,
    };
    expect(actionsUsed(publisherCalls.calls, tables)).toEqual(grantedActions(PUBLISHER_DYNAMODB_ACTIONS));
  });
});

describe('Local server on DYNAMODB_ENDPOINT = DynamoDB Local: subscriptions read its stream', () => {
  it('delivers a change from the items stream of the configured server', async () => {
    // Prepare
    const dynamo = await startDynamoDBLocal();
    const config = loadConfig({
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      JWT_SECRET: SIGNING_KEY,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATA_DIR: fileURLToPath(new URL('../../build/test-data-stream', import.meta.url)),
    });
    const server = await startLocalServer({ config });
    const register = await fetch(`${server.url}/user/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'streamed', password: 'correct horse battery' }),
    });
    const { access_token: token } = (await register.json()) as { access_token: string };
    const socket = socketClient(server.subscriptionsUrl, token);
    const subscription = subscribe(socket.client, SELECTION);
    await until(() => server.activeSubscriptions() === 1);

    // Act
    await fetch(`${server.url}/item/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'via the stream' }),
    });
    const [event] = await subscription.received(1);

    // Assess
    expect(event?.data).toMatchObject({
      itemChanged: { kind: 'CREATED', item: { name: 'via the stream', owner: { username: 'streamed' } } },
    });
    await socket.dispose();
    await server.close();
    await dynamo.close();
  });
});

import { randomUUID } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JwtTokens } from '../../src/auth/tokens.js';
import { createExecutableSchema } from '../../src/graphql/executable-schema.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { createLogger } from '../../src/logger.js';
import { ConnectionStore, MAX_CONNECTION_SECONDS } from '../../src/realtime/connection-store.js';
import { managementApis } from '../../src/realtime/management-api.js';
import { subscriptionDocuments } from '../../src/realtime/subscription-document.js';
import {
  createWebSocketHandler,
  REFUSED_INIT_ID,
  type WebSocketHandler,
} from '../../src/realtime/websocket-handler.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { WEBSOCKET_DYNAMODB_ACTIONS } from '../../src/storage/tables.js';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-recorder.js';
import { actionsUsed, grantedActions } from '../helpers/table-grants.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';
import { startManagementApiStub, type ManagementApiStub } from '../helpers/management-api-stub.js';
import { webSocketEvent } from '../helpers/websocket-events.js';

const SIGNING_KEY = 'websocket-handler-test-key-of-at-least-32-bytes';
const TABLE = 'ws-test-connections';
const ITEM_CHANGED = 'subscription { itemChanged { kind itemId version item { name } } }';

describe.each(dynamoBackends)(
  'WebSocket handler (API Gateway WebSocket events, rows on $name)',
  (backend) => {
    let dynamo: RunningDynamo;
    let doc: DynamoDBDocumentClient;
    let stub: ManagementApiStub;
    let handle: WebSocketHandler;
    let handlerCalls: CallRecorder;
    const tokens = new JwtTokens({
      signingKey: SIGNING_KEY,
      issuer: 'basic-item-crud',
      audience: 'basic-item-crud',
      ttlMinutes: 15,
    });

    /** A connection that went through $connect and connection_init, with its own id. */
    const connected = async (userId: string = randomUUID()) => {
      const connectionId = `${randomUUID().slice(0, 12)}=`;
      await handle(webSocketEvent('connect', { connectionId }));
      await send(connectionId, {
        type: 'connection_init',
        payload: { Authorization: `Bearer ${tokens.issue(userId).accessToken}` },
      });
      return { connectionId, userId };
    };
    const send = (connectionId: string, body: unknown) =>
      handle(webSocketEvent('message', { connectionId, body }));
    const subscribeAs = (connectionId: string, id: string, query = ITEM_CHANGED) =>
      send(connectionId, { type: 'subscribe', id, payload: { query } });
    const rowsOf = async (connectionId: string) => {
      const output = await doc.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'connection_id = :id',
          ExpressionAttributeValues: { ':id': connectionId },
          ConsistentRead: true,
        }),
      );
      return (output.Items ?? []) as Record<string, unknown>[];
    };

    beforeAll(async () => {
      [dynamo, stub] = await Promise.all([backend.start(), startManagementApiStub('dev')]);
      const client = createDynamoClient({ region: 'eu-west-1', endpoint: dynamo.endpoint });
      await ensureTables(client, { users: 'ws-test-users', items: 'ws-test-items', connections: TABLE });
      doc = createDocumentClient(client);
      // The handler's own client: every call it sends is recorded, to check against its grants.
      const handlerClient = createDynamoClient({ region: 'eu-west-1', endpoint: dynamo.endpoint });
      handlerCalls = recordCalls(handlerClient);
      const schema = createExecutableSchema();
      handle = createWebSocketHandler({
        store: new ConnectionStore(createDocumentClient(handlerClient), TABLE),
        messengers: managementApis({
          region: 'eu-west-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
        managementEndpoint: stub.endpoint,
        tokens,
        prepare: subscriptionDocuments(schema, { hideFieldSuggestions: false }),
        logger: createLogger('silent'),
      });
    });
    afterAll(async () => {
      await stub?.close();
      await dynamo?.close();
    });
    beforeEach(() => stub.reset());

    describe('$connect', () => {
      it('accepts graphql-transport-ws and echoes it, as browsers require', async () => {
        // Act
        const result = await handle(
          webSocketEvent('connect', { connectionId: 'c1=', protocols: 'graphql-ws, graphql-transport-ws' }),
        );

        // Assess
        expect(result).toEqual({
          statusCode: 200,
          headers: { 'Sec-WebSocket-Protocol': 'graphql-transport-ws' },
        });
      });

      it('refuses a handshake without the subprotocol', async () => {
        // Act
        const results = await Promise.all([
          handle(webSocketEvent('connect', { connectionId: 'c2=', protocols: null })),
          handle(webSocketEvent('connect', { connectionId: 'c3=', protocols: 'graphql-ws' })),
        ]);

        // Assess
        expect(results).toEqual([{ statusCode: 400 }, { statusCode: 400 }]);
      });
    });

    describe('connection_init', () => {
      it('stores the connection (user, token expiry, TTL) and acknowledges it', async () => {
        // Prepare
        const connectionId = 'JZ4mQdaRjoECFkg=';
        const userId = randomUUID();
        const token = tokens.issue(userId).accessToken;
        const connectedAt = Date.now();

        // Act
        const result = await handle(
          webSocketEvent('message', {
            connectionId,
            connectedAt,
            body: { type: 'connection_init', payload: { authorization: `Bearer ${token}` } },
          }),
        );

        // Assess
        expect(result).toEqual({ statusCode: 200 });
        expect(stub.messagesTo(connectionId)).toEqual([{ type: 'connection_ack' }]);
        expect(await rowsOf(connectionId)).toEqual([
          {
            connection_id: connectionId,
            sk: 'connection',
            user_id: userId,
            token_expires_at: (jwt.decode(token) as { exp: number }).exp,
            connected_at: Math.floor(connectedAt / 1000),
            expires_at: Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS + 300,
          },
        ]);
      });

      it.each([
        ['no token', {}, 4401, /^Unauthorized/],
        [
          'a forged token',
          { Authorization: `Bearer ${jwt.sign({ sub: 'x' }, 'y'.repeat(40))}` },
          4403,
          /^Forbidden: /,
        ],
        [
          'an expired token',
          { Authorization: `Bearer ${jwt.sign({ sub: 'x', exp: 1 }, SIGNING_KEY)}` },
          4403,
          /^Forbidden: /,
        ],
      ])(
        'refuses %s: an error message graphql-ws clients take as fatal (no reconnect loop), then the connection is closed',
        async (_name, payload, closeCode, reason) => {
          // Prepare
          const connectionId = `${randomUUID().slice(0, 8)}=`;

          // Act
          await send(connectionId, { type: 'connection_init', payload });

          // Assess
          const [message, ...rest] = stub.messagesTo(connectionId);
          expect(rest).toEqual([]);
          expect(message).toMatchObject({
            type: 'error',
            id: REFUSED_INIT_ID,
            payload: [
              { message: expect.stringMatching(reason), extensions: { code: 'UNAUTHENTICATED', closeCode } },
            ],
          });
          expect(stub.deleted).toEqual([connectionId]);
          expect(await rowsOf(connectionId)).toEqual([]);
        },
      );

      it('closes a connection that initialises twice (4429), keeping its first row', async () => {
        // Prepare
        const { connectionId, userId } = await connected();
        stub.reset();

        // Act
        await send(connectionId, {
          type: 'connection_init',
          payload: { Authorization: `Bearer ${tokens.issue(randomUUID()).accessToken}` },
        });

        // Assess
        expect(stub.posts).toEqual([]);
        expect(stub.deleted).toEqual([connectionId]);
        expect(await rowsOf(connectionId)).toMatchObject([{ sk: 'connection', user_id: userId }]);
      });
    });

    describe('ping', () => {
      it('answers pong with the same payload: API Gateway cannot ping, clients keep alive with it', async () => {
        // Prepare
        const { connectionId } = await connected();
        stub.reset();

        // Act
        await send(connectionId, { type: 'ping', payload: { at: 1 } });
        await send(connectionId, { type: 'ping' });

        // Assess
        expect(stub.messagesTo(connectionId)).toEqual([
          { type: 'pong', payload: { at: 1 } },
          { type: 'pong' },
        ]);
      });
    });

    describe('subscribe and complete', () => {
      it('stores the subscription with its owner for owner-index, the document, and the TTL; nothing is sent', async () => {
        // Prepare
        const { connectionId, userId } = await connected();
        stub.reset();

        // Act
        await send(connectionId, {
          type: 'subscribe',
          id: 'sub-1',
          payload: {
            query: 'subscription Mine($x: Boolean!) { itemChanged { kind @include(if: $x) } }',
            operationName: 'Mine',
            variables: { x: true },
          },
        });

        // Assess
        expect(stub.posts).toEqual([]);
        const rows = await rowsOf(connectionId);
        const connection = rows.find((r) => r.sk === 'connection');
        expect(rows.find((r) => r.sk === 'sub#sub-1')).toEqual({
          connection_id: connectionId,
          sk: 'sub#sub-1',
          owner_id: userId,
          subscription_id: 'sub-1',
          query: 'subscription Mine($x: Boolean!) { itemChanged { kind @include(if: $x) } }',
          operation_name: 'Mine',
          variables: { x: true },
          token_expires_at: connection?.token_expires_at,
          expires_at: connection?.expires_at,
        });
      });

      it('removes the subscription on complete', async () => {
        // Prepare
        const { connectionId } = await connected();
        await subscribeAs(connectionId, 'a');
        await subscribeAs(connectionId, 'b');

        // Act
        await send(connectionId, { type: 'complete', id: 'a' });

        // Assess
        expect((await rowsOf(connectionId)).map((r) => r.sk).sort()).toEqual(['connection', 'sub#b']);
      });

      it.each([
        [
          'too deep',
          `subscription { itemChanged { item { owner { items { edges { node { owner { items { edges { node { id } } } } } } } } } } }`,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          'over 60 aliases',
          `subscription { itemChanged { ${Array.from({ length: 61 }, (_, i) => `a${i}: kind`).join(' ')} } }`,
          'GRAPHQL_VALIDATION_FAILED',
        ],
        [
          'too costly',
          `subscription { itemChanged { item { owner { items(first: 100) { edges { node { owner { items(first: 100) { pageInfo { hasNextPage } } } } } } } } } }`,
          'QUERY_COST_LIMIT',
        ],
        ['not a subscription', '{ health { status } }', 'OPERATION_NOT_SUPPORTED'],
        ['unknown field', 'subscription { itemChanged { colour } }', 'GRAPHQL_VALIDATION_FAILED'],
      ])('refuses a document %s with an error message, storing nothing', async (_name, query, reason) => {
        // Prepare
        const { connectionId } = await connected();
        stub.reset();

        // Act
        await subscribeAs(connectionId, 'x', query);

        // Assess
        expect(stub.messagesTo(connectionId)).toEqual([
          {
            type: 'error',
            id: 'x',
            payload: [
              expect.objectContaining({
                extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', reason }),
              }),
            ],
          },
        ]);
        expect(stub.deleted).toEqual([]);
        expect((await rowsOf(connectionId)).map((r) => r.sk)).toEqual(['connection']);
      });

      it('refuses an 11th subscription on a connection', async () => {
        // Prepare
        const { connectionId } = await connected();
        for (let i = 0; i < 10; i++) await subscribeAs(connectionId, `s${i}`);
        stub.reset();

        // Act
        await subscribeAs(connectionId, 's10');

        // Assess
        expect(stub.messagesTo(connectionId)).toEqual([
          {
            type: 'error',
            id: 's10',
            payload: [
              {
                message: 'At most 10 subscriptions per connection: complete one first',
                extensions: {
                  code: 'BAD_USER_INPUT',
                  reason: 'SUBSCRIPTION_LIMIT',
                  limit: 10,
                  scope: 'connection',
                },
              },
            ],
          },
        ]);
        expect(await rowsOf(connectionId)).toHaveLength(11);
      });

      it('refuses a 51st subscription of a user across connections', async () => {
        // Prepare
        const userId = randomUUID();
        const connections = [];
        for (let c = 0; c < 6; c++) connections.push((await connected(userId)).connectionId);
        for (let i = 0; i < 50; i++) await subscribeAs(connections[i % 5] as string, `s${i}`);
        stub.reset();

        // Act
        await subscribeAs(connections[5] as string, 'one-too-many');

        // Assess
        expect(stub.messagesTo(connections[5] as string)).toMatchObject([
          {
            type: 'error',
            id: 'one-too-many',
            payload: [{ extensions: { reason: 'SUBSCRIPTION_LIMIT', scope: 'user', limit: 50 } }],
          },
        ]);
        expect((await rowsOf(connections[5] as string)).map((r) => r.sk)).toEqual(['connection']);
      });

      it("refuses a subscribe once the connection's token has expired", async () => {
        // Prepare: a connection whose token lives 1 second
        const connectionId = 'short-lived=';
        const token = jwt.sign({}, SIGNING_KEY, {
          subject: randomUUID(),
          issuer: 'basic-item-crud',
          audience: 'basic-item-crud',
          expiresIn: 1,
        });
        await send(connectionId, { type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
        await new Promise((done) => setTimeout(done, 1_100));
        stub.reset();

        // Act
        await subscribeAs(connectionId, 'late');

        // Assess
        expect(stub.messagesTo(connectionId)).toEqual([
          {
            type: 'error',
            id: 'late',
            payload: [{ message: 'Token has expired', extensions: { code: 'UNAUTHENTICATED' } }],
          },
        ]);
      });

      it.each([
        ['a subscribe before connection_init (4401)', async (id: string) => subscribeAs(id, 'early')],
        [
          'a subscription id already in use (4409)',
          async (id: string) => {
            await send(id, {
              type: 'connection_init',
              payload: { Authorization: `Bearer ${tokens.issue(randomUUID()).accessToken}` },
            });
            await subscribeAs(id, 'same');
            stub.reset();
            await subscribeAs(id, 'same');
          },
        ],
        ['a message that is not graphql-transport-ws (4400)', async (id: string) => send(id, 'hello')],
        [
          'a server-only message (4400)',
          async (id: string) => send(id, { type: 'next', id: '1', payload: {} }),
        ],
      ])('closes the connection on %s', async (_name, act) => {
        // Prepare
        const connectionId = `${randomUUID().slice(0, 8)}=`;

        // Act
        await act(connectionId);

        // Assess
        expect(stub.posts).toEqual([]);
        expect(stub.deleted).toEqual([connectionId]);
      });
    });

    describe('$disconnect', () => {
      it("deletes all of the connection's rows", async () => {
        // Prepare
        const { connectionId } = await connected();
        await subscribeAs(connectionId, 'a');
        await subscribeAs(connectionId, 'b');

        // Act
        const result = await handle(webSocketEvent('disconnect', { connectionId }));

        // Assess
        expect(result).toEqual({ statusCode: 200 });
        expect(await rowsOf(connectionId)).toEqual([]);
      });
    });

    describe('IAM', () => {
      it('has sent exactly the DynamoDB actions tables.ts grants the WebSocket function, no more, no fewer', () => {
        // Assess (over every test above)
        expect(actionsUsed(handlerCalls.calls, { connections: TABLE })).toEqual(
          grantedActions(WEBSOCKET_DYNAMODB_ACTIONS),
        );
      });
    });
  },
);

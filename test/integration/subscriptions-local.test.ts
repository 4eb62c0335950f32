import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { graphqlOverHttp, signUp, type GraphQLClient, type SignedUpUser } from '../helpers/graphql.js';
import { ITEM_CHANGED, socketClient, subscribe, until, type SocketClient } from '../helpers/subscriptions.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const SECRET = 'subscriptions-test-signing-key-of-at-least-32-bytes';

describe('GraphQL subscriptions on the local server (graphql-transport-ws over a real socket)', () => {
  let server: TestServer;
  let graphql: GraphQLClient;
  let alice: SignedUpUser;
  let bob: SignedUpUser;
  const clients: SocketClient[] = [];

  const connect = (token: string | undefined, url = server.subscriptionsUrl, lazy = true) => {
    const socket = socketClient(url, token, { lazy });
    clients.push(socket);
    return socket;
  };
  const rest = async (method: string, path: string, token: string, json?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  /** Subscribes and waits until the server listens, so that the next write counts. */
  const live = async (socket: SocketClient, query = ITEM_CHANGED) => {
    const before = server.activeSubscriptions();
    const subscription = subscribe(socket.client, query);
    await until(() => server.activeSubscriptions() > before);
    return subscription;
  };

  beforeAll(async () => {
    server = await startTestServer({ JWT_SECRET: SECRET });
    graphql = graphqlOverHttp(server.url);
    [alice, bob] = await Promise.all([signUp(graphql), signUp(graphql)]);
  });

  // Each test starts with no subscription live: `live` counts from there.
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await until(() => server.activeSubscriptions() === 0);
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('events', () => {
    it("delivers exactly A's creates, updates and deletes, in order, through REST, a legacy route and GraphQL", async () => {
      // Prepare
      const subscription = await live(connect(alice.token));

      // Act
      const created = await rest('POST', '/item/', alice.token, { name: 'first', description: 'via REST' });
      const id = created.body.id as string;
      await rest('PUT', `/api/item/update/${id}`, alice.token, { name: 'renamed' });
      const { body } = await graphql(
        `
          mutation ($id: ID!) {
            deleteItem(id: $id)
          }
        `,
        {
          token: alice.token,
          variables: { id },
        },
      );
      const events = await subscription.received(3);
      await sleep(100);

      // Assess
      expect(body.errors).toBeUndefined();
      expect(subscription.events).toHaveLength(3);
      expect(events.map((e) => e.errors)).toEqual([undefined, undefined, undefined]);
      const [first, second, third] = events.map(
        (e) => (e.data as { itemChanged: Record<string, unknown> }).itemChanged,
      );
      expect(first).toMatchObject({
        kind: 'CREATED',
        itemId: id,
        version: 1,
        item: {
          id,
          name: 'first',
          description: 'via REST',
          version: 1,
          owner: { id: alice.id, username: alice.username },
        },
      });
      expect(second).toMatchObject({
        kind: 'UPDATED',
        itemId: id,
        version: 2,
        item: { name: 'renamed', version: 2 },
      });
      expect(third).toEqual({
        kind: 'DELETED',
        itemId: id,
        version: 2,
        item: null,
        changedAt: expect.any(String),
      });
      expect(Date.parse(third?.changedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(second?.changedAt as string),
      );
      subscription.unsubscribe();
    });

    it("never tells A about B's items, while B hears of them", async () => {
      // Prepare
      const forAlice = await live(connect(alice.token));
      const forBob = await live(connect(bob.token));

      // Act
      const created = await rest('POST', '/item/', bob.token, { name: "bob's" });
      await rest('DELETE', `/item/${created.body.id as string}`, bob.token);
      await forBob.received(2);
      await sleep(150);

      // Assess
      expect(forAlice.events).toEqual([]);
      expect(
        forBob.events.map((e) => (e.data as { itemChanged: { kind: string } }).itemChanged.kind),
      ).toEqual(['CREATED', 'DELETED']);
      forAlice.unsubscribe();
      forBob.unsubscribe();
    });

    it('hears a write made straight into the embedded emulator by another client', async () => {
      // Prepare
      const subscription = await live(connect(alice.token));
      const other = createDynamoClient({ region: 'eu-west-1', endpoint: server.dynamodbEndpoint });

      // Act: a row as the old service wrote it (no timestamps, no version)
      await other.send(
        new PutItemCommand({
          TableName: 'basic-item-crud-items',
          Item: {
            id: { S: 'written-by-another-client' },
            owner_id: { S: alice.id },
            name: { S: 'from the CLI' },
          },
        }),
      );
      const [event] = await subscription.received(1);
      other.destroy();

      // Assess
      expect(event?.data).toMatchObject({
        itemChanged: {
          kind: 'CREATED',
          itemId: 'written-by-another-client',
          version: 1,
          item: { name: 'from the CLI', description: '', owner: { username: alice.username } },
        },
      });
      subscription.unsubscribe();
    });

    it('hears batch writes (as `npm run migrate` makes them), updates and deletes by another client, in order', async () => {
      // Prepare
      const subscription = await live(connect(alice.token));
      const other = createDynamoClient({ region: 'eu-west-1', endpoint: server.dynamodbEndpoint });
      const row = (id: string) => ({ id: { S: id }, owner_id: { S: alice.id }, name: { S: id } });
      const table = 'basic-item-crud-items';

      // Act
      await other.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [table]: [{ PutRequest: { Item: row('batch-1') } }, { PutRequest: { Item: row('batch-2') } }],
          },
        }),
      );
      await subscription.received(2);
      await other.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: 'batch-1' } },
          UpdateExpression: 'SET #n = :n, version = :v',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':n': { S: 'edited in the console' }, ':v': { N: '2' } },
        }),
      );
      await other.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'batch-2' } } }));
      // Unchanged: DynamoDB writes no stream record, nor does the tap.
      await other.send(
        new PutItemCommand({
          TableName: table,
          Item: { ...row('batch-1'), name: { S: 'edited in the console' }, version: { N: '2' } },
        }),
      );
      const events = await subscription.received(4);
      await sleep(100);
      other.destroy();

      // Assess
      const changes = events.map((e) => (e.data as { itemChanged: Record<string, unknown> }).itemChanged);
      expect(
        changes
          .slice(0, 2)
          .map((c) => [c.kind, c.itemId])
          .sort(),
      ).toEqual([
        ['CREATED', 'batch-1'],
        ['CREATED', 'batch-2'],
      ]);
      expect(changes.slice(2)).toMatchObject([
        { kind: 'UPDATED', itemId: 'batch-1', version: 2, item: { name: 'edited in the console' } },
        { kind: 'DELETED', itemId: 'batch-2', version: 1, item: null },
      ]);
      expect(subscription.events).toHaveLength(4);
    });

    it('lets the emulator refuse a malformed write by another client, and keeps hearing the next ones', async () => {
      // Prepare
      const subscription = await live(connect(alice.token));

      // Act: a batch whose write is null, straight to the emulator's wire protocol
      const refused = await fetch(server.dynamodbEndpoint, {
        method: 'POST',
        headers: {
          'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
          'content-type': 'application/x-amz-json-1.0',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: JSON.stringify({ RequestItems: { 'basic-item-crud-items': [null] } }),
      });
      const created = await rest('POST', '/item/', alice.token, { name: 'after the refused batch' });
      const [event] = await subscription.received(1);

      // Assess
      expect(refused.status).toBe(400);
      expect(created.status).toBe(201);
      expect(event?.data).toMatchObject({ itemChanged: { kind: 'CREATED', itemId: created.body.id } });
      subscription.unsubscribe();
    });

    it('answers the selection only: aliases, __typename and fragments as in a query', async () => {
      // Prepare
      const subscription = await live(
        connect(alice.token),
        'subscription Changes { change: itemChanged { __typename kind ...Named } } fragment Named on ItemChange { item { title: name } }',
      );

      // Act
      await rest('POST', '/item/', alice.token, { name: 'aliased' });
      const [event] = await subscription.received(1);

      // Assess
      expect(event).toEqual({
        data: { change: { __typename: 'ItemChange', kind: 'CREATED', item: { title: 'aliased' } } },
      });
      subscription.unsubscribe();
    });
  });

  describe('authentication in connection_init', () => {
    it('closes with 4401 when no token is sent', async () => {
      // Prepare
      const socket = connect(undefined);

      // Act
      const { ended } = subscribe(socket.client, ITEM_CHANGED);

      // Assess
      expect(await ended).toEqual({ error: expect.objectContaining({ code: 4401 }) });
      expect(socket.closes[0]?.reason).toMatch(/^Unauthorized/);
    });

    it.each([
      ['a forged token', () => jwt.sign({}, 'x'.repeat(40), { subject: alice.id, expiresIn: 60 })],
      [
        'an expired token',
        () =>
          jwt.sign({ exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, {
            subject: alice.id,
            issuer: 'basic-item-crud',
            audience: 'basic-item-crud',
          }),
      ],
      ['garbage', () => 'not-a-jwt'],
    ])('closes with 4403 for %s', async (_name, token) => {
      // Prepare
      const socket = connect(token());

      // Act
      const { ended } = subscribe(socket.client, ITEM_CHANGED);

      // Assess
      expect(await ended).toEqual({ error: expect.objectContaining({ code: 4403 }) });
      expect(socket.closes[0]?.reason).toMatch(/^Forbidden: /);
    });

    it('stops delivery when the token expires: a last UNAUTHENTICATED event, then complete', async () => {
      // Prepare: a real token of this server that expires in 2 seconds
      const token = jwt.sign({}, SECRET, {
        subject: alice.id,
        issuer: 'basic-item-crud',
        audience: 'basic-item-crud',
        expiresIn: 2,
      });
      // Eager: the socket stays open once its subscription has ended.
      const socket = connect(token, server.subscriptionsUrl, false);
      const subscription = await live(socket);
      await rest('POST', '/item/', alice.token, { name: 'before expiry' });
      await subscription.received(1);

      // Act
      const ended = await subscription.ended;
      await rest('POST', '/item/', alice.token, { name: 'after expiry' });
      const refused = subscribe(socket.client, ITEM_CHANGED);
      await sleep(100);

      // Assess
      expect(ended).toEqual({ completed: true });
      expect(subscription.events).toHaveLength(2);
      expect(subscription.events[1]).toEqual({
        errors: [{ message: 'Token has expired', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(await refused.ended).toEqual({
        error: [{ message: 'Token has expired', extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(refused.events).toEqual([]);
      expect(socket.closes).toEqual([]);
    });
  });

  describe('limits', () => {
    type Refusal = { message: string; extensions: Record<string, unknown> }[];
    const refused = async (socket: SocketClient, query: string) => {
      const { ended, events } = subscribe(socket.client, query);
      const outcome = (await ended) as { error: Refusal };
      expect(events).toEqual([]);
      return outcome.error;
    };
    const listing = (inner: string) => `owner { items(first: 100) { ${inner} } }`;

    it.each([
      [
        'deeper than 10 levels',
        `subscription { itemChanged { item { ${listing(`edges { node { ${listing('edges { node { id } }')} } }`)} } } }`,
        /^Syntax Error: Query depth limit of 10 exceeded, found 11\.$/,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'over 60 aliases',
        `subscription { itemChanged { ${Array.from({ length: 61 }, (_, i) => `a${i}: kind`).join(' ')} } }`,
        /Aliases limit of 60 exceeded, found 61/,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'over 20 directives',
        `subscription { itemChanged { kind ${'@include(if: true) '.repeat(21)} } }`,
        /Directives limit of 20 exceeded/,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'over 2000 tokens',
        `subscription { itemChanged { ${'kind '.repeat(2_000)} } }`,
        /Document contains more th.. 2000 tokens/,
        'GRAPHQL_PARSE_FAILED',
      ],
      [
        'over the cost limit',
        `subscription { itemChanged { item { ${listing(`edges { node { ${listing('pageInfo { hasNextPage }')} } }`)} } } }`,
        /^Query cost \d+ is over the limit of 5000$/,
        'QUERY_COST_LIMIT',
      ],
      [
        'a listing (User.items), which events do not carry',
        `subscription { itemChanged { item { ${listing('pageInfo { hasNextPage }')} } } }`,
        /^`User\.items` is not available in subscriptions/,
        'GRAPHQL_VALIDATION_FAILED',
      ],
      [
        'a query',
        '{ health { status } }',
        /^Only subscriptions are served over WebSocket/,
        'OPERATION_NOT_SUPPORTED',
      ],
      ['bad syntax', 'subscription {', /^Syntax Error/, 'GRAPHQL_PARSE_FAILED'],
    ])(
      'refuses %s with an error message, as a query over HTTP, and keeps the socket',
      async (_name, query, message, reason) => {
        // Prepare: a subscription that must outlive the refusal on the same socket
        const socket = connect(alice.token);
        const kept = await live(socket);

        // Act
        const errors = await refused(socket, query);
        await rest('POST', '/item/', alice.token, { name: 'still delivered' });

        // Assess
        expect(errors[0]?.message).toMatch(message);
        expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
        expect(await kept.received(1)).toHaveLength(1);
        expect(socket.closes).toEqual([]);
      },
    );

    it('refuses an 11th subscription on one connection', async () => {
      // Prepare
      const socket = connect(alice.token);
      const ten = [];
      for (let i = 0; i < 10; i++) ten.push(await live(socket));

      // Act
      const errors = await refused(socket, ITEM_CHANGED);
      ten[0]?.unsubscribe();
      await until(() => server.activeSubscriptions() === 9);
      const afterOneEnded = await live(socket);

      // Assess
      expect(errors).toEqual([
        {
          message: 'At most 10 subscriptions per connection: complete one first',
          extensions: {
            code: 'BAD_USER_INPUT',
            reason: 'SUBSCRIPTION_LIMIT',
            limit: 10,
            scope: 'connection',
          },
        },
      ]);
      expect(afterOneEnded.events).toEqual([]);
      expect(server.activeSubscriptions()).toBe(10);
    });

    it('refuses a 51st subscription of one user across connections', async () => {
      // Prepare
      const user = await signUp(graphql);
      const sockets = Array.from({ length: 6 }, () => connect(user.token));
      const fifty = [];
      for (let i = 0; i < 50; i++) fifty.push(await live(sockets[i % 5] as SocketClient));

      // Act
      const errors = await refused(sockets[5] as SocketClient, ITEM_CHANGED);

      // Assess
      expect(errors[0]).toEqual({
        message: 'At most 50 subscriptions per user across connections: complete one first',
        extensions: { code: 'BAD_USER_INPUT', reason: 'SUBSCRIPTION_LIMIT', limit: 50, scope: 'user' },
      });
      expect(fifty).toHaveLength(50);
      expect(server.activeSubscriptions()).toBe(50);
    });
  });

  describe('transport', () => {
    it('upgrades on every spelling of /graphql the router accepts', async () => {
      for (const path of ['/api/graphql', '/graphql/', '/api/graphql/']) {
        // Prepare
        const socket = connect(alice.token, `${server.subscriptionsUrl.replace(/\/graphql$/, '')}${path}`);

        // Act
        const subscription = await live(socket);

        // Assess
        expect(socket.closes).toEqual([]);
        subscription.unsubscribe();
        await until(() => server.activeSubscriptions() === 0);
      }
    });

    it('refuses an upgrade elsewhere', async () => {
      // Prepare
      const socket = connect(alice.token, server.subscriptionsUrl.replace(/graphql$/, 'item/'));

      // Act
      const { ended } = subscribe(socket.client, ITEM_CHANGED);

      // Assess: the handshake fails (an HTTP 404, no upgrade)
      expect(await ended).toHaveProperty('error');
      await until(() => socket.closes.length > 0);
      expect(socket.closes[0]?.code).toBe(1006);
    });

    it('answers a subscription sent over HTTP with a 400 that says where subscriptions are', async () => {
      // Act
      const response = await graphql(ITEM_CHANGED, { token: alice.token });

      // Assess
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]).toMatchObject({
        message:
          'Subscriptions are served over WebSocket (graphql-transport-ws) at this endpoint, not over HTTP',
        extensions: { code: 'BAD_USER_INPUT', reason: 'OPERATION_NOT_SUPPORTED' },
      });
    });
  });
});

describe('Local server shutdown with open subscriptions', () => {
  it('closes every socket with 1001 (going away) and stops', async () => {
    // Prepare
    const server = await startTestServer();
    const user = await signUp(graphqlOverHttp(server.url));
    const socket = socketClient(server.subscriptionsUrl, user.token);
    subscribe(socket.client, ITEM_CHANGED);
    await until(() => server.activeSubscriptions() === 1);

    // Act
    await server.stop();

    // Assess
    await until(() => socket.closes.length > 0);
    expect(socket.closes[0]).toEqual({ code: 1001, reason: 'Going away' });
    await socket.dispose();
  });
});

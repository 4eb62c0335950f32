import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/domain/errors.js';
import { MAX_KEYS_PER_BATCH_GET } from '../../src/storage/batch-get.js';
import { createDynamoClient, createDocumentClient } from '../../src/storage/dynamodb-client.js';
import { createLoaders } from '../../src/storage/loaders.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { awsError, injectFault, rewriteOutput } from '../helpers/dynamodb-recorder.js';
import {
  rejection,
  startDataLayer,
  TEST_PASSWORD,
  undeclaredActions,
  type DataLayer,
  type TestAccount,
} from '../helpers/data-layer.js';

describe.each(dynamoBackends)('Storage on $name', (backend) => {
  let db: DataLayer;
  let owner: TestAccount;
  let itemIds: string[];
  beforeAll(async () => {
    db = await startDataLayer(backend);
    owner = await db.signUp('owner');
    itemIds = [];
    for (let i = 0; i < 120; i++)
      itemIds.push((await owner.items().create(owner.caller, { name: `item ${i}` })).id);
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('DynamoDB calls per operation', () => {
    it('authenticates a request with no call', () => {
      db.recorder.reset();
      expect(owner.request().caller()).toEqual(owner.caller);
      expect(db.recorder.operations()).toEqual([]);
    });

    it('logs in with one read', async () => {
      db.recorder.reset();
      await db.request().services.accounts.login({ username: owner.username, password: TEST_PASSWORD });
      expect(db.recorder.operations()).toEqual(['GetItem']);
    });

    it('registers with two conditional writes', async () => {
      db.recorder.reset();
      await db
        .request()
        .services.accounts.register({ username: `new_${Date.now()}`, password: TEST_PASSWORD });
      expect(db.recorder.operations()).toEqual(['PutItem', 'PutItem']);
    });

    it('gets an item with one call, and creates, updates and deletes with one write each', async () => {
      db.recorder.reset();
      const item = await owner.items().create(owner.caller, { name: 'counted' });
      expect(db.recorder.operations()).toEqual(['PutItem']);

      db.recorder.reset();
      await owner.items().get(owner.caller, item.id);
      expect(db.recorder.operations()).toEqual(['GetItem']);

      db.recorder.reset();
      await owner.items().update(owner.caller, item.id, { name: 'recounted' }, 1);
      expect(db.recorder.operations()).toEqual(['UpdateItem']);

      db.recorder.reset();
      // A delete leaves a tombstone (see ItemTombstoneRecord): still one write.
      await owner.items().delete(owner.caller, item.id, 2);
      expect(db.recorder.operations()).toEqual(['UpdateItem']);
    });

    it('lists one page with one Query', async () => {
      db.recorder.reset();
      const page = await owner.items().list(owner.caller, { limit: 10 });
      expect(page.items).toHaveLength(10);
      expect(db.recorder.operations()).toEqual(['Query']);
    });

    it('loads N items in one tick with ⌈unique N / 100⌉ BatchGetItem calls, in key order', async () => {
      // Prepare: 240 ids, 121 unique (one missing), shuffled with duplicates
      const wanted = [...itemIds, 'missing-id', ...itemIds.slice(0, 119).reverse()];
      const items = owner.items();
      db.recorder.reset();

      // Act
      const loaded = await Promise.all([
        items.getMany(owner.caller, wanted.slice(0, 100)),
        items.getMany(owner.caller, wanted.slice(100, 200)),
        items.get(owner.caller, itemIds[5]!),
        items.getMany(owner.caller, wanted.slice(200)),
      ]);

      // Assess
      expect(db.recorder.operations()).toEqual(['BatchGetItem', 'BatchGetItem']);
      const flat = [...loaded[0], ...loaded[1], ...loaded[3]];
      expect(flat.map((item) => item?.id ?? null)).toEqual(
        wanted.map((id) => (id === 'missing-id' ? null : id)),
      );
      expect(loaded[2].id).toBe(itemIds[5]);
    });

    it('loads many users in one tick in batches of 100', async () => {
      const ids = [
        owner.caller.userId,
        ...Array.from({ length: 150 }, (_, i) => `ghost-${i}`),
        owner.caller.userId,
      ];
      const accounts = owner.request().services.accounts;
      db.recorder.reset();
      const users = await Promise.all(ids.map((id) => accounts.getUser(id)));
      expect(db.recorder.operations()).toEqual(['BatchGetItem', 'BatchGetItem']);
      expect(users.map((u) => u?.username ?? null)).toEqual(
        ids.map((id) => (id === owner.caller.userId ? owner.username : null)),
      );
    });

    it('never answers a username marker as a user', async () => {
      const accounts = owner.request().services.accounts;
      expect(await accounts.getUser(`username#${owner.username.toLowerCase()}`)).toBeNull();
    });
  });

  describe('Faults injected on a real client', () => {
    it('retries UnprocessedKeys until every key is loaded, in key order', async () => {
      // Prepare: the first two BatchGetItem answers leave all but one key unprocessed
      let answers = 0;
      const remove = rewriteOutput(db.client, (operation, output) => {
        if (operation !== 'BatchGetItem' || ++answers > 2) return;
        const responses = output.Responses as Record<string, { id: unknown }[]>;
        const unprocessed: Record<string, { Keys: unknown[] }> = {};
        for (const [table, rows] of Object.entries(responses)) {
          unprocessed[table] = { Keys: rows.slice(1).map((row) => ({ id: row.id })) };
          responses[table] = rows.slice(0, 1);
        }
        output.UnprocessedKeys = unprocessed;
      });
      const wanted = itemIds.slice(0, 30);
      db.recorder.reset();

      // Act
      const loaded = await owner.items().getMany(owner.caller, wanted).finally(remove);

      // Assess
      expect(loaded.map((item) => item?.id)).toEqual(wanted);
      expect(db.recorder.operations()).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
    });

    it('fails as UnavailableError when keys stay unprocessed past the bounded retries', async () => {
      const loaders = createLoaders({
        client: db.doc,
        tables: db.tables,
        batchGet: { maxRounds: 3, baseDelayMs: 1 },
      });
      const remove = rewriteOutput(db.client, (operation, output) => {
        if (operation !== 'BatchGetItem') return;
        const responses = output.Responses as Record<string, { id: unknown }[]>;
        output.UnprocessedKeys = Object.fromEntries(
          Object.entries(responses).map(([table, rows]) => [
            table,
            { Keys: rows.map((row) => ({ id: row.id })) },
          ]),
        );
        for (const table of Object.keys(responses)) responses[table] = [];
      });
      db.recorder.reset();
      await rejection(
        Promise.all([loaders.items.load(itemIds[0]!), loaders.items.load(itemIds[1]!)]).finally(remove),
        UnavailableError,
      );
      expect(db.recorder.operations()).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
    });

    it('rides out brief throttling with the client retries and answers correctly', async () => {
      // Prepare
      const { client, request } = db.withClient({ maxAttempts: 3, retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
      let attempts = 0;
      injectFault(client, ({ operation }) =>
        operation === 'Query' && ++attempts <= 2 ? awsError('ThrottlingException') : undefined,
      );

      // Act
      const page = await request(owner.token).services.items.list(owner.caller, { limit: 3 });

      // Assess
      expect(attempts).toBe(3);
      expect(page.items).toHaveLength(3);
    });

    it.each([
      ['ThrottlingException', 400],
      ['ProvisionedThroughputExceededException', 400],
      ['InternalServerError', 500],
      // A 5xx DynamoDB has no name for (a proxy's Bad Gateway, say) is the database's too.
      ['UnknownError', 502],
    ])(
      'turns persistent %s into UnavailableError after exactly the configured attempts',
      async (name, status) => {
        // Prepare
        const bound = { maxAttempts: 4, retryBaseDelayMs: 2, retryMaxDelayMs: 10 };
        const { client, request } = db.withClient(bound);
        let attempts = 0;
        injectFault(client, () => {
          attempts += 1;
          return awsError(name, status);
        });

        // Act
        const error = await rejection(
          request(owner.token).services.items.get(owner.caller, itemIds[0]!),
          UnavailableError,
        );

        // Assess
        expect(attempts).toBe(bound.maxAttempts);
        const cause = error.cause as {
          name: string;
          $metadata: { attempts: number; totalRetryDelay: number };
        };
        expect(cause.name).toBe(name);
        expect(cause.$metadata.attempts).toBe(bound.maxAttempts);
        expect(cause.$metadata.totalRetryDelay).toBeLessThanOrEqual(
          (bound.maxAttempts - 1) * bound.retryMaxDelayMs,
        );
      },
    );

    it('does not retry or mask a client error that is a bug', async () => {
      const { client, request } = db.withClient({ maxAttempts: 3 });
      let attempts = 0;
      injectFault(client, () => {
        attempts += 1;
        return awsError('ValidationException');
      });
      const error = await request(owner.token)
        .services.items.get(owner.caller, itemIds[0]!)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ValidationException' });
      expect(attempts).toBe(1);
    });

    it('sent only the DynamoDB actions that DYNAMODB_ACTIONS grants', () => {
      expect(db.allCalls.length).toBeGreaterThan(0);
      expect(undeclaredActions(db)).toEqual([]);
    });
  });
});

describe('Storage: a database that cannot answer', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers, as a hung endpoint would.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((done) => silent.close(() => done()));
  });

  const loadFrom = (endpoint: string, options: { requestTimeoutMs?: number } = {}) => {
    const client = createDynamoClient({
      region: 'us-east-1',
      endpoint,
      maxAttempts: 2,
      retryBaseDelayMs: 1,
      ...options,
    });
    const loaders = createLoaders({
      client: createDocumentClient(client),
      tables: { users: 'users', items: 'items' },
    });
    return loaders.items.load('any-id').finally(() => client.destroy());
  };

  it('turns a refused connection into UnavailableError', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((done) => closed.close(() => done()));
    await rejection(loadFrom(`http://127.0.0.1:${port}`), UnavailableError);
  });

  it('turns a request that times out into UnavailableError', async () => {
    const { port } = silent.address() as AddressInfo;
    const error = await rejection(
      loadFrom(`http://127.0.0.1:${port}`, { requestTimeoutMs: 100 }),
      UnavailableError,
    );
    expect((error.cause as Error).name).toBe('TimeoutError');
  });
});

it('splits batches at BatchGetItem’s own limit of 100 keys', () => {
  expect(MAX_KEYS_PER_BATCH_GET).toBe(100);
});

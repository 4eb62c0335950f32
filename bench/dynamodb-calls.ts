import { randomBytes } from 'node:crypto';
import { createItem, expectData, expectStatus, registerUser } from './lib/api-client.js';
import { startInProcessApp, type InProcessApp } from './lib/in-process-app.js';
import {
  CREATE_ITEM_MUTATION,
  DELETE_ITEM_MUTATION,
  ITEM_QUERY,
  ITEMS_BY_IDS_250_QUERY,
  ITEMS_BY_IDS_QUERY,
  ITEMS_WITH_OWNERS_QUERY,
  LOGIN_MUTATION,
  ME_QUERY,
  REGISTER_MUTATION,
  UPDATE_ITEM_MUTATION,
} from './lib/queries.js';
import type { MeasurementResult, ResultRow } from './lib/report.js';
import { seedItems } from './lib/seed.js';

interface Operation {
  readonly name: string;
  /** The minimum from the data-layer issue's table. */
  readonly minimum: number;
  /** What the old FastAPI backend needed, where its README/code said. */
  readonly fastApi?: number;
  readonly run: () => Promise<unknown>;
}

/**
 * DynamoDB calls per operation, counted on the wire by an SDK middleware on the real client
 * (every HTTP attempt, retries included), for REST and GraphQL, against the minimum table and
 * the old FastAPI backend.
 */
export async function measureDynamoDbCalls(): Promise<MeasurementResult> {
  const app = await startInProcessApp();
  try {
    const rows: ResultRow[] = [];
    const breakdown: Record<string, Record<string, number>> = {};
    for (const op of [...(await restOperations(app)), ...(await graphqlOperations(app))]) {
      app.wire.reset();
      await op.run();
      const calls = app.wire.total();
      breakdown[op.name] = app.wire.calls();
      rows.push({
        case: op.name,
        value: calls,
        unit: 'calls',
        baselines: [
          { label: 'min', value: op.minimum },
          ...(op.fastApi === undefined ? [] : [{ label: 'FastAPI', value: op.fastApi }]),
        ],
        target: `= ${op.minimum}`,
        met: calls <= op.minimum,
      });
    }
    return {
      name: 'DynamoDB calls',
      rows,
      details: { breakdown },
      notes: ['Counted per HTTP attempt at the innermost SDK middleware of the service’s own client.'],
    };
  } finally {
    await app.close();
  }
}

async function restOperations(app: InProcessApp): Promise<Operation[]> {
  const { send } = app;
  const owner = await registerUser(send, 'calls');
  const itemId = await createItem(send, owner.token, 'counted');
  const token = owner.token;
  await seedItems(app.doc, app.config.itemsTable, owner.userId, 30);
  return [
    {
      name: 'REST authenticate (token ok, body refused)',
      minimum: 0,
      run: async () =>
        expectStatus(await send({ method: 'POST', path: '/item/', token, body: { name: ' ' } }), 422, 'auth'),
    },
    {
      name: 'REST register',
      minimum: 2,
      fastApi: 2,
      run: async () => registerUser(send, 'calls'),
    },
    {
      name: 'REST login',
      minimum: 1,
      fastApi: 1,
      run: async () =>
        expectStatus(
          await send({
            method: 'POST',
            path: '/user/login',
            body: { username: owner.username, password: owner.password },
          }),
          200,
          'login',
        ),
    },
    {
      name: 'REST me',
      minimum: 1,
      run: async () => expectStatus(await send({ path: '/user/me', token }), 200, 'me'),
    },
    {
      name: 'REST create item',
      minimum: 1,
      fastApi: 2,
      run: async () => createItem(send, token, 'one more'),
    },
    {
      name: 'REST get item',
      minimum: 1,
      run: async () => expectStatus(await send({ path: `/item/${itemId}`, token }), 200, 'get'),
    },
    {
      name: 'REST list one page (20)',
      minimum: 1,
      fastApi: 2,
      run: async () =>
        expectStatus(await send({ path: '/item/', token, query: { limit: '20' } }), 200, 'list'),
    },
    {
      name: 'REST update item',
      minimum: 1,
      fastApi: 3,
      run: async () =>
        expectStatus(
          await send({ method: 'PUT', path: `/item/${itemId}`, token, body: { name: 'renamed' } }),
          200,
          'update',
        ),
    },
    {
      name: 'REST delete item',
      minimum: 1,
      fastApi: 3,
      run: async () => {
        const doomed = await createItem(send, token, 'doomed');
        app.wire.reset();
        return expectStatus(await send({ method: 'DELETE', path: `/item/${doomed}`, token }), 204, 'delete');
      },
    },
  ];
}

async function graphqlOperations(app: InProcessApp): Promise<Operation[]> {
  const gql = async (query: string, variables: Record<string, unknown>, token?: string, what = 'graphql') =>
    expectData(await app.graphql(query, variables, token), what);
  const owner = await registerUser(app.send, 'gqlcalls');
  const token = owner.token;
  const itemId = await createItem(app.send, token, 'counted');
  const seeded = (await seedItems(app.doc, app.config.itemsTable, owner.userId, 250)).map((r) => r.id);
  return [
    {
      name: 'GraphQL register',
      minimum: 2,
      fastApi: 2,
      run: () =>
        gql(REGISTER_MUTATION, {
          input: { username: `gql_${randomBytes(4).toString('hex')}`, password: 'bench-password' },
        }),
    },
    {
      name: 'GraphQL login',
      minimum: 1,
      fastApi: 1,
      run: () => gql(LOGIN_MUTATION, { input: { username: owner.username, password: owner.password } }),
    },
    { name: 'GraphQL me', minimum: 1, run: () => gql(ME_QUERY, {}, token) },
    { name: 'GraphQL item', minimum: 1, run: () => gql(ITEM_QUERY, { id: itemId }, token) },
    {
      name: 'GraphQL items (20) with owners',
      // One Query for the page, one batched load for the (single, deduplicated) owner.
      minimum: 2,
      fastApi: 2,
      run: () => gql(ITEMS_WITH_OWNERS_QUERY, { first: 20 }, token),
    },
    {
      name: 'GraphQL itemsByIds (100)',
      minimum: 1,
      run: () => gql(ITEMS_BY_IDS_QUERY, { ids: seeded.slice(0, 100) }, token),
    },
    {
      name: 'GraphQL itemsByIds 250 in one request',
      minimum: 3,
      run: () =>
        gql(
          ITEMS_BY_IDS_250_QUERY,
          { a: seeded.slice(0, 100), b: seeded.slice(100, 200), c: seeded.slice(200, 250) },
          token,
        ),
    },
    {
      name: 'GraphQL createItem',
      minimum: 1,
      fastApi: 2,
      run: () => gql(CREATE_ITEM_MUTATION, { input: { name: 'made by graphql' } }, token),
    },
    {
      name: 'GraphQL updateItem',
      minimum: 1,
      fastApi: 3,
      run: () => gql(UPDATE_ITEM_MUTATION, { id: itemId, input: { name: 'renamed' } }, token),
    },
    {
      name: 'GraphQL deleteItem',
      minimum: 1,
      fastApi: 3,
      run: async () => {
        const doomed = await createItem(app.send, token, 'doomed');
        app.wire.reset();
        return gql(DELETE_ITEM_MUTATION, { id: doomed }, token);
      },
    },
  ];
}

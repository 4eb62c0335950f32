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
    const operations = [
      ...(await restOperations(app)),
      ...(await graphqlOperations(app)),
      ...accountOperations(app),
    ];
    for (const op of operations) {
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

/** Items of the account the deletion rows delete (seeded straight into the table beforehand). */
const DELETED_ITEMS = { rest: 2_500, graphql: 100 } as const;

/**
 * The least a deletion of an account with `items` items can send:
 * - 2 reads: the user record (batched load) and its credentials;
 * - 2 writes to start: the credentials marked `deleting_at` (no sign-in from then on), and the
 *   receipt that remembers what is left should the deletion be interrupted;
 * - the owner index read 1 000 keys per Query: ⌈items/1000⌉ pages (one more when the count is a
 *   multiple of 1 000: the last full page still says "more"), and one more Query that finds
 *   nothing: the confirming pass that catches an item written meanwhile;
 * - ⌈items/25⌉ BatchWriteItem (its limit is 25 deletes);
 * - the users table: one Query of `username-index` (the user record and its sign-in sessions)
 *   and one BatchWriteItem deleting them; then the credentials (DeleteItem, last: the name is
 *   free only when nothing else is left) and the receipt rewritten without the user (PutItem).
 */
function deletionMinimum(items: number): number {
  const pages = Math.floor(items / 1_000) + 1;
  const confirmingPass = items > 0 ? 1 : 0;
  return 2 + 2 + pages + confirmingPass + Math.ceil(items / 25) + 2 + 2;
}

interface SignedInUser {
  readonly username: string;
  readonly password: string;
  readonly token: string;
  readonly refreshToken: string;
  readonly userId: string;
}

/** A new account and its first pair of tokens. */
async function signedIn(app: InProcessApp, prefix: string): Promise<SignedInUser> {
  const user = await registerUser(app.send, prefix);
  const reply = expectStatus(
    await app.send({
      method: 'POST',
      path: '/user/login',
      body: { username: user.username, password: user.password },
    }),
    200,
    'login',
  );
  return { ...user, refreshToken: (reply.json as { refresh_token: string }).refresh_token };
}

/** A refresh token that has rotated once, so that its sign-in has its session row. */
async function rotatedOnce(app: InProcessApp, refreshToken: string): Promise<string> {
  const reply = expectStatus(
    await app.send({ method: 'POST', path: '/user/token/refresh', body: { refresh_token: refreshToken } }),
    200,
    'refresh',
  );
  return (reply.json as { refresh_token: string }).refresh_token;
}

const PAIR_FIELDS = 'accessToken refreshToken refreshTokenExpiresAt';
const REFRESH_MUTATION = `mutation ($input: RefreshTokenInput!) { refreshToken(input: $input) { ${PAIR_FIELDS} } }`;
const LOGOUT_MUTATION = 'mutation ($input: RefreshTokenInput!) { logout(input: $input) }';
const LOGOUT_ALL_MUTATION = 'mutation { logoutAll }';
const CHANGE_PASSWORD_MUTATION = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { ${PAIR_FIELDS} } }`;
const DELETE_ACCOUNT_MUTATION = 'mutation ($input: DeleteAccountInput!) { deleteAccount(input: $input) }';

/**
 * Issue 14's operations, each prepared inside `run` (then the count starts over), so that every
 * one measures a fresh account: refresh = 1 BatchGetItem (session + credentials) + 1 UpdateItem
 * (the conditional rotation); logout = 1 UpdateItem (the session revoked, whatever its state);
 * logout-all and password change = the user load + the credentials read + 1 UpdateItem (a new
 * sessions epoch, with the new hash for the password); delete = see `deletionMinimum`.
 */
function accountOperations(app: InProcessApp): Operation[] {
  const { send } = app;
  const gql = async (query: string, variables: Record<string, unknown>, token?: string, what = 'graphql') =>
    expectData(await app.graphql(query, variables, token), what);
  const measured = async (prepare: () => Promise<() => Promise<unknown>>) => {
    const act = await prepare();
    app.wire.reset();
    return act();
  };
  return [
    {
      name: 'REST refresh (rotated token)',
      minimum: 2,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'refresh');
          const token = await rotatedOnce(app, user.refreshToken);
          return async () =>
            expectStatus(
              await send({ method: 'POST', path: '/user/token/refresh', body: { refresh_token: token } }),
              200,
              'refresh',
            );
        }),
    },
    {
      name: 'REST refresh (first token of a sign-in)',
      minimum: 2,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'refresh');
          return async () =>
            expectStatus(
              await send({
                method: 'POST',
                path: '/user/token/refresh',
                body: { refresh_token: user.refreshToken },
              }),
              200,
              'refresh',
            );
        }),
    },
    {
      name: 'REST logout',
      minimum: 1,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'logout');
          return async () =>
            expectStatus(
              await send({
                method: 'POST',
                path: '/user/logout',
                body: { refresh_token: user.refreshToken },
              }),
              204,
              'logout',
            );
        }),
    },
    {
      name: 'REST logout-all',
      minimum: 3,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'logoutall');
          return async () =>
            expectStatus(
              await send({ method: 'POST', path: '/user/logout-all', token: user.token }),
              204,
              'logout-all',
            );
        }),
    },
    {
      name: 'REST password change',
      minimum: 3,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'password');
          return async () =>
            expectStatus(
              await send({
                method: 'POST',
                path: '/user/password',
                token: user.token,
                body: { current_password: user.password, new_password: 'another bench password' },
              }),
              200,
              'password change',
            );
        }),
    },
    {
      name: `REST delete account (${DELETED_ITEMS.rest} items)`,
      minimum: deletionMinimum(DELETED_ITEMS.rest),
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'delete');
          await rotatedOnce(app, user.refreshToken);
          await seedItems(app.doc, app.config.itemsTable, user.userId, DELETED_ITEMS.rest);
          return async () =>
            expectStatus(
              await send({
                method: 'DELETE',
                path: '/user/me',
                token: user.token,
                body: { password: user.password },
              }),
              204,
              'delete account',
            );
        }),
    },
    {
      name: 'GraphQL refreshToken (rotated token)',
      minimum: 2,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'gqlrefresh');
          const token = await rotatedOnce(app, user.refreshToken);
          return () => gql(REFRESH_MUTATION, { input: { refreshToken: token } });
        }),
    },
    {
      name: 'GraphQL logout',
      minimum: 1,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'gqllogout');
          return () => gql(LOGOUT_MUTATION, { input: { refreshToken: user.refreshToken } });
        }),
    },
    {
      name: 'GraphQL logoutAll',
      minimum: 3,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'gqllogoutall');
          return () => gql(LOGOUT_ALL_MUTATION, {}, user.token);
        }),
    },
    {
      name: 'GraphQL changePassword',
      minimum: 3,
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'gqlpassword');
          return () =>
            gql(
              CHANGE_PASSWORD_MUTATION,
              { input: { currentPassword: user.password, newPassword: 'another bench password' } },
              user.token,
            );
        }),
    },
    {
      name: `GraphQL deleteAccount (${DELETED_ITEMS.graphql} items)`,
      minimum: deletionMinimum(DELETED_ITEMS.graphql),
      run: () =>
        measured(async () => {
          const user = await signedIn(app, 'gqldelete');
          await seedItems(app.doc, app.config.itemsTable, user.userId, DELETED_ITEMS.graphql);
          return () => gql(DELETE_ACCOUNT_MUTATION, { input: { password: user.password } }, user.token);
        }),
    },
  ];
}

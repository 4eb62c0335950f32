import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HmacRefreshTokens } from '../../src/auth/refresh-tokens.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import {
  graphqlAccountApi,
  pairOf,
  restAccountApi,
  type AccountApi,
  type TokenPair,
  type TransportName,
} from './account-api.js';
import type { ServiceStorage } from './clocked-services.js';
import type { DynamoBackend } from './dynamodb-backends.js';
import type { RunningDynamo } from './dynamodb-local.js';
import { recordCalls, type CallRecorder } from './dynamodb-recorder.js';
import { graphqlOverHttp, type GraphQLClient } from './graphql.js';
import { serveHandler } from './handler-over-http.js';
import { createRestClient, type RestClient } from './rest-client.js';
import { seedItems, type SeedShape } from './seed-items.js';
import { createTestHandler, type TestHandler } from './test-handler.js';

export const ACCOUNT_PASSWORD = 'correct horse battery';

/** The service's own refresh-token codec, for its hash (which needs no key). */
const STORED_HASH = new HmacRefreshTokens('any key: hashing a token does not use it');

/** An account registered for a test, with the first pair of tokens its registration answered. */
export interface TestAccount {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly pair: TokenPair;
}

/** A stored row and the table it is in. */
export interface TableRow {
  readonly table: string;
  readonly row: Record<string, unknown>;
}

/** The Lambda handler on one emulator, served over HTTP for both APIs. */
export interface AppInstance {
  readonly handler: TestHandler;
  readonly rest: RestClient;
  readonly graphql: GraphQLClient;
  api(transport: TransportName): AccountApi;
  close(): Promise<void>;
}

export interface AccountsApp extends AppInstance {
  readonly tables: { readonly users: string; readonly items: string };
  /** The handler's own DynamoDB client (the one that faults and counts go on). */
  readonly client: DynamoDBClient;
  /** Every call the handler's client sends; `reset()` before the step being counted. */
  readonly calls: CallRecorder;
  /** A client for the tests' own reads and writes, outside the handler's (no faults, not counted). */
  readonly inspect: DynamoDBDocumentClient;
  /** The emulator and tables, for services built in the test itself (e.g. with a clock of its own). */
  readonly storage: ServiceStorage;
  /** Registers a fresh account through `api`. */
  signUp(api: AccountApi, prefix?: string): Promise<TestAccount>;
  /** Another handler with other settings (e.g. `BCRYPT_COST`) on the same emulator and tables. */
  startAnother(env: Record<string, string>): Promise<AppInstance>;
  /** The users table's row at `id`, read consistently. */
  userRow(id: string): Promise<Record<string, unknown> | undefined>;
  /** Sets attributes of the users table's row at `id` (e.g. to move a throttle window into the past). */
  setUserRow(id: string, attributes: Record<string, unknown>): Promise<void>;
  /**
   * The sign-in session whose working refresh token is `refreshToken` (found by the hash the
   * service stores: the token's claims are opaque to clients, and so to the tests).
   */
  sessionRowOf(refreshToken: string): Promise<Record<string, unknown> | undefined>;
  /** Writes `count` items of `ownerId` straight into the items table. */
  seedItems(ownerId: string, count: number, shape?: SeedShape): Promise<string[]>;
  /** Every row of either table in which any of `needles` appears, in a key or a value, in any case. */
  rowsMentioning(...needles: string[]): Promise<TableRow[]>;
  /** Rows of the items table owned by `ownerId`. */
  itemRowsOf(ownerId: string): Promise<Record<string, unknown>[]>;
}

/**
 * The handler exactly as Lambda builds it (bcrypt cost 4) on `backend`, with tables of its own,
 * served over HTTP: REST through the client that checks every answer against `/openapi.json`,
 * GraphQL over POST /graphql. One per test file and emulator.
 */
export async function startAccountsApp(backend: DynamoBackend): Promise<AccountsApp> {
  const database: RunningDynamo = await backend.start();
  const suffix = randomUUID().slice(0, 8);
  const tables = { users: `users-${suffix}`, items: `items-${suffix}` };
  const tableEnv = {
    DYNAMODB_ENDPOINT: database.endpoint,
    USERS_TABLE: tables.users,
    ITEMS_TABLE: tables.items,
  };
  const main = await startInstance(tableEnv);
  const inspectClient = createDynamoClient({ region: 'us-east-1', endpoint: database.endpoint });
  const inspect = createDocumentClient(inspectClient);
  const calls = recordCalls(main.handler.client);
  const others: AppInstance[] = [];

  const scan = async (table: string): Promise<Record<string, unknown>[]> => {
    const rows: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await inspect.send(
        new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      rows.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return rows;
  };

  return {
    ...main,
    tables,
    client: main.handler.client,
    calls,
    inspect,
    storage: { doc: inspect, tables },
    async signUp(api, prefix = 'acct') {
      const username = `${prefix}_${randomUUID().slice(0, 8)}`;
      const pair = pairOf(await api.register(username, ACCOUNT_PASSWORD));
      return { id: subjectOf(pair.accessToken), username, password: ACCOUNT_PASSWORD, pair };
    },
    async startAnother(env) {
      const other = await startInstance({ ...tableEnv, ...env });
      others.push(other);
      return other;
    },
    async userRow(id) {
      const { Item } = await inspect.send(
        new GetCommand({ TableName: tables.users, Key: { id }, ConsistentRead: true }),
      );
      return Item;
    },
    async setUserRow(id, attributes) {
      const names = Object.keys(attributes);
      await inspect.send(
        new UpdateCommand({
          TableName: tables.users,
          Key: { id },
          UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, attributes[name]])),
        }),
      );
    },
    async sessionRowOf(refreshToken) {
      const hash = STORED_HASH.hash(refreshToken);
      return (await scan(tables.users)).find((row) => row.current_hash === hash);
    },
    seedItems: (ownerId, count, shape) => seedItems(inspect, tables.items, ownerId, count, shape),
    async rowsMentioning(...needles) {
      const wanted = needles.map((needle) => needle.toLowerCase());
      const found: TableRow[] = [];
      for (const table of [tables.users, tables.items]) {
        for (const row of await scan(table)) {
          const text = JSON.stringify(row).toLowerCase();
          if (wanted.some((needle) => text.includes(needle))) found.push({ table, row });
        }
      }
      return found;
    },
    async itemRowsOf(ownerId) {
      return (await scan(tables.items)).filter((row) => row.owner_id === ownerId);
    },
    async close() {
      for (const other of others) await other.close();
      await main.close();
      inspectClient.destroy();
      await database.close();
    },
  };
}

async function startInstance(env: Record<string, string>): Promise<AppInstance> {
  const handler = await createTestHandler(env);
  const http = await serveHandler(handler.handler);
  const rest = await createRestClient(http.url);
  const graphql = graphqlOverHttp(http.url);
  const apis = { REST: restAccountApi(rest), GraphQL: graphqlAccountApi(graphql) };
  return {
    handler,
    rest,
    graphql,
    api: (transport) => apis[transport],
    async close() {
      await http.close();
      handler.client.destroy();
      await handler.stop();
    },
  };
}

/** The user id an access token was issued for (its `sub`); reading it needs no key. */
export function subjectOf(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub;
}

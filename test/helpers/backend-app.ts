import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import type { DynamoBackend } from './dynamodb-backends.js';
import type { RunningDynamo } from './dynamodb-local.js';
import { graphqlThroughHandler, type GraphQLClient } from './graphql.js';
import { restThroughHandler, type HandlerRequest } from './rest-through-handler.js';
import { createTestHandler, type TestHandler } from './test-handler.js';

/** A stored row of the items table, as the tests read it back. */
export type StoredRow = Record<string, unknown>;

export interface AppUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

export interface BackendApp {
  /** The handler, its own client (for faults and call counts) and its log lines. */
  readonly app: TestHandler;
  readonly rest: HandlerRequest;
  readonly graphql: GraphQLClient;
  readonly tables: { readonly users: string; readonly items: string };
  /** A fresh account, registered through the REST API. */
  signUp(prefix?: string): Promise<AppUser>;
  /** The items table's row for `id`, read consistently outside the handler's client. */
  storedRow(id: string): Promise<StoredRow | undefined>;
  /** Every live item row `ownerId` owns (tombstones have no owner). */
  liveRowsOf(ownerId: string): Promise<StoredRow[]>;
  close(): Promise<void>;
}

/** The Lambda handler on `backend` (dynalite or DynamoDB Local), with tables of its own. */
export async function startBackendApp(backend: DynamoBackend): Promise<BackendApp> {
  const database: RunningDynamo = await backend.start();
  const suffix = randomUUID().slice(0, 8);
  const tables = { users: `users-${suffix}`, items: `items-${suffix}` };
  const app = await createTestHandler({
    DYNAMODB_ENDPOINT: database.endpoint,
    USERS_TABLE: tables.users,
    ITEMS_TABLE: tables.items,
  });
  const inspectClient = createDynamoClient({ region: 'us-east-1', endpoint: database.endpoint });
  const inspect: DynamoDBDocumentClient = createDocumentClient(inspectClient);
  const rest = restThroughHandler(app.handler);

  return {
    app,
    rest,
    graphql: graphqlThroughHandler(app.handler),
    tables,
    async signUp(prefix = 'user') {
      const username = `${prefix}_${randomUUID().slice(0, 8)}`;
      const registered = await rest('POST', '/user/register', {
        json: { username, password: 'correct horse battery' },
      });
      if (registered.status !== 201) throw new Error(`register failed: ${registered.text}`);
      const token = (registered.body as { access_token: string }).access_token;
      const me = await rest('GET', '/user/me', { token });
      return { id: (me.body as { id: string }).id, username, token };
    },
    async storedRow(id) {
      const { Item } = await inspect.send(
        new GetCommand({ TableName: tables.items, Key: { id }, ConsistentRead: true }),
      );
      return Item;
    },
    async liveRowsOf(ownerId) {
      const rows: StoredRow[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await inspect.send(
          new ScanCommand({ TableName: tables.items, ConsistentRead: true, ExclusiveStartKey }),
        );
        rows.push(...(page.Items ?? []).filter((row) => row.owner_id === ownerId));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return rows;
    },
    async close() {
      inspectClient.destroy();
      app.client.destroy();
      await app.stop();
      await database.close();
    },
  };
}

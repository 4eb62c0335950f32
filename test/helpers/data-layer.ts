import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Caller } from '../../src/domain/entities.js';
import type { ApiEvent } from '../../src/http/api-gateway.js';
import { readRequest } from '../../src/http/request.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { createLogger } from '../../src/logger.js';
import { createRequestContextFactory } from '../../src/composition-root.js';
import type { RequestContext } from '../../src/request-context.js';
import {
  createDocumentClient,
  createDynamoClient,
  type DynamoClientOptions,
} from '../../src/storage/dynamodb-client.js';
import { DYNAMODB_ACTIONS } from '../../src/storage/tables.js';
import type { DynamoBackend } from './dynamodb-backends.js';
import type { RunningDynamo } from './dynamodb-local.js';
import { recordCalls, type CallRecorder, type RecordedCall } from './dynamodb-recorder.js';

export const TEST_SIGNING_KEY = 'data-layer-test-signing-key-of-at-least-32-bytes';
export const TEST_PASSWORD = 'correct horse';

export interface TestAccount {
  readonly username: string;
  readonly token: string;
  readonly caller: Caller;
  /** The services of a new request authenticated as this account (fresh loaders). */
  items(): RequestContext['services']['items'];
  request(): RequestContext;
}

export interface DataLayer {
  readonly server: RunningDynamo;
  readonly tables: { readonly users: string; readonly items: string };
  /** The real client the services use: add middleware to count calls or inject faults. */
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  /** A client for the tests' own look-ups, outside the recording. */
  readonly inspect: DynamoDBDocumentClient;
  /** The calls of this client; `allCalls` has those of every client `withClient` made too. */
  readonly recorder: CallRecorder;
  readonly allCalls: readonly RecordedCall[];
  /** A fresh request context, as the handler builds one per request. */
  request(token?: string): RequestContext;
  /** A fresh account with a unique name. */
  signUp(prefix?: string): Promise<TestAccount>;
  /** Another client on the same server and tables, with its own options (retries, timeouts). */
  withClient(options: Partial<DynamoClientOptions>): {
    client: DynamoDBClient;
    request(token?: string): RequestContext;
  };
  close(): Promise<void>;
}

/** The services exactly as the handler wires them, on `backend`, with tables of their own. */
export async function startDataLayer(backend: DynamoBackend): Promise<DataLayer> {
  const server = await backend.start();
  const suffix = randomUUID().slice(0, 8);
  const tables = { users: `users-${suffix}`, items: `items-${suffix}` };
  const allCalls: RecordedCall[] = [];
  const build = (options: Partial<DynamoClientOptions>) => {
    const client = createDynamoClient({ region: 'us-east-1', endpoint: server.endpoint, ...options });
    const doc = createDocumentClient(client);
    const factory = createRequestContextFactory({
      logger: createLogger('silent'),
      config: {
        usersTable: tables.users,
        itemsTable: tables.items,
        bcryptCost: 4,
        jwtIssuer: 'test-issuer',
        jwtAudience: 'test-audience',
        tokenTtlMinutes: 30,
        refreshTokenTtlDays: 30,
      },
      dynamo: doc,
      signingKey: TEST_SIGNING_KEY,
    });
    const request = (token?: string) => factory(readRequest(requestEvent(token)), {});
    return { client, doc, request };
  };
  const inspectClient = createDynamoClient({ region: 'us-east-1', endpoint: server.endpoint });
  await ensureTables(inspectClient, tables);
  const main = build({});
  const recorder = recordCalls(main.client, allCalls);
  const others: DynamoDBClient[] = [inspectClient];

  return {
    server,
    tables,
    client: main.client,
    doc: main.doc,
    inspect: createDocumentClient(inspectClient),
    recorder,
    allCalls,
    request: main.request,
    async signUp(prefix = 'user') {
      const username = `${prefix}_${randomUUID().slice(0, 8)}`;
      const registered = await main
        .request()
        .services.accounts.register({ username, password: TEST_PASSWORD });
      const token = registered.token.accessToken;
      const request = () => main.request(token);
      return { username, token, caller: request().caller(), request, items: () => request().services.items };
    },
    withClient(options) {
      const other = build(options);
      recordCalls(other.client, allCalls);
      others.push(other.client);
      return { client: other.client, request: other.request };
    },
    async close() {
      for (const client of [main.client, ...others]) client.destroy();
      await server.close();
    },
  };
}

function requestEvent(token?: string): ApiEvent {
  const event = {
    httpMethod: 'POST',
    path: '/graphql',
    resource: '/{proxy+}',
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    pathParameters: { proxy: 'graphql' },
  } as unknown as ApiEvent;
  return event;
}

/** Each recorded call as the IAM action and resource group (`users`, `items`, `itemsIndexes`) it needs. */
export function requiredActions(
  calls: readonly RecordedCall[],
  tables: DataLayer['tables'],
): { group: keyof typeof DYNAMODB_ACTIONS; action: string }[] {
  return calls.flatMap((call) =>
    // A call whose table could not be read is never taken as allowed.
    (call.tables.length > 0 ? call.tables : ['(no table recorded)']).map((table) => {
      const base =
        table === tables.users ? 'users' : table === tables.items ? 'items' : `unknown table ${table}`;
      const group = (call.indexName ? `${base}Indexes` : base) as keyof typeof DYNAMODB_ACTIONS;
      return { group, action: `dynamodb:${call.operation}` };
    }),
  );
}

/** Asserts `error` is an instance of `type` and returns it typed. */
export async function rejection<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name}, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected ${type.name}, but it resolved`);
}

/** Every call made so far on `db` needs only actions that `DYNAMODB_ACTIONS` grants. */
export function undeclaredActions(db: DataLayer): string[] {
  return undeclaredActionsOf(db.allCalls, db.tables);
}

/** The calls' actions that `DYNAMODB_ACTIONS` does not grant, as `group: action`. */
export function undeclaredActionsOf(calls: readonly RecordedCall[], tables: DataLayer['tables']): string[] {
  const required = requiredActions(calls, tables);
  const granted = DYNAMODB_ACTIONS as Record<string, readonly string[] | undefined>;
  return [
    ...new Set(
      required
        .filter(({ group, action }) => !granted[group]?.includes(action))
        .map((r) => `${r.group}: ${r.action}`),
    ),
  ];
}

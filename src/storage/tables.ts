/**
 * The tables as data: the one definition that the CDK stack, the emulator bootstrap and the
 * tests all build from. Attribute names stay snake_case, as the original service stored them.
 */
export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface GlobalIndexSpec {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export type TableName = 'users' | 'items' | 'connections';

/** What a DynamoDB stream record carries (`StreamViewType`). */
export type StreamView = 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY';

export interface TableSpec {
  /** Logical name: the suffix of the deployed table name and the key in `tables`. */
  readonly name: TableName;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexSpec[];
  readonly pointInTimeRecovery: boolean;
  /**
   * Epoch-seconds attribute DynamoDB's TTL deletes rows by (within days, not on the second:
   * code that cares checks it itself; dynalite has no TTL at all).
   */
  readonly timeToLiveAttribute: string;
  /** A change stream, when something consumes the table's changes. */
  readonly stream?: StreamView;
  /**
   * Rows that may be lost without harm (they expire within hours and are rebuilt by clients):
   * no backups, no deletion protection, and the table goes when its stack goes.
   */
  readonly ephemeral: boolean;
}

/** The TTL attribute of every table (Number, epoch seconds). */
export const TTL_ATTRIBUTE = 'expires_at';

export const USERNAME_INDEX = 'username-index';
export const OWNER_ID_INDEX = 'owner-id-index';
export const OWNER_INDEX = 'owner-index';

export const usersTable: TableSpec = {
  name: 'users',
  partitionKey: { name: 'id', type: 'S' },
  globalIndexes: [{ indexName: USERNAME_INDEX, partitionKey: { name: 'username', type: 'S' } }],
  pointInTimeRecovery: true,
  timeToLiveAttribute: TTL_ATTRIBUTE,
  ephemeral: false,
};

export const itemsTable: TableSpec = {
  name: 'items',
  partitionKey: { name: 'id', type: 'S' },
  globalIndexes: [
    {
      indexName: OWNER_ID_INDEX,
      partitionKey: { name: 'owner_id', type: 'S' },
      sortKey: { name: 'created_at', type: 'S' },
    },
  ],
  pointInTimeRecovery: true,
  timeToLiveAttribute: TTL_ATTRIBUTE,
  // The subscriptions publisher reads every change from here, so writes stay one call.
  stream: 'NEW_AND_OLD_IMAGES',
  ephemeral: false,
};

/**
 * WebSocket connections and their subscriptions: one `sk` row per connection and one per
 * subscription; `owner-index` finds every subscription of a user (one Query per owner per batch).
 */
export const connectionsTable: TableSpec = {
  name: 'connections',
  partitionKey: { name: 'connection_id', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [
    {
      indexName: OWNER_INDEX,
      partitionKey: { name: 'owner_id', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
    },
  ],
  pointInTimeRecovery: false,
  timeToLiveAttribute: TTL_ATTRIBUTE,
  ephemeral: true,
};

export const tables = { users: usersTable, items: itemsTable, connections: connectionsTable } as const;

/** Every attribute a key or index uses, deduplicated: what CreateTable wants declared. */
export function keyAttributes(spec: TableSpec): KeyAttribute[] {
  const all = [
    spec.partitionKey,
    spec.sortKey,
    ...spec.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const byName = new Map<string, KeyAttribute>();
  for (const attribute of all) if (attribute) byName.set(attribute.name, attribute);
  return [...byName.values()];
}

/** Actions on a table (`users`) or on every index of it (`usersIndexes`). */
export type GrantGroup = TableName | `${TableName}Indexes`;
export type DynamoDbGrants = Partial<Record<GrantGroup, readonly `dynamodb:${string}`[]>>;

/**
 * Exactly the DynamoDB actions the REST/GraphQL function's code sends, per table and per index:
 * its execution role is granted these and nothing else (the CDK stack builds its policy from
 * this), and a test proves the repositories send nothing outside it.
 */
export const DYNAMODB_ACTIONS = {
  // Login and name claims read one credentials row; profiles read one row (GetItem), several
  // users and a refresh's session and credentials load in batches;
  // registration puts twice; sessions, password changes and failed sign-ins update one row;
  // an account's deletion deletes its rows (found through username-index) in batches.
  users: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
  usersIndexes: ['dynamodb:Query'],
  // Reads by id: one item a GetItem, several in batches; a failed conditional write's row is
  // read back where the server does not return it; deletes leave
  // tombstones (UpdateItem); an account's deletion deletes its items in batches.
  items: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
  itemsIndexes: ['dynamodb:Query'],
} as const satisfies DynamoDbGrants;

/**
 * The WebSocket function (`websocketHandler`, src/realtime/connection-store.ts): a conditional put
 * per connection (`connection_init`) and per subscription (`subscribe`); a `subscribe` reads the
 * connection's rows in one Query, and the index counts the user's subscriptions against the
 * limit; `complete` deletes one row, `$disconnect` all of the connection's (a Query, then
 * batched deletes).
 */
export const WEBSOCKET_DYNAMODB_ACTIONS = {
  connections: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  connectionsIndexes: ['dynamodb:Query'],
} as const satisfies DynamoDbGrants;

/**
 * The stream publisher (`streamHandler`, src/realtime/publisher.ts): one index Query per owner per
 * batch finds the subscriptions; a gone connection's rows are found (Query) and deleted in
 * batches, as is an ended subscription's row; a selection that asks for `Item.owner` reads the
 * owner (one key: each owner's changes run in a context of their own). Item changes come from
 * the stream, not the table.
 */
export const PUBLISHER_DYNAMODB_ACTIONS = {
  users: ['dynamodb:GetItem'],
  connections: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
  connectionsIndexes: ['dynamodb:Query'],
} as const satisfies DynamoDbGrants;

/** Each function's grants, by the handler it runs: the CDK stack grants exactly these. */
export const DYNAMODB_ACTIONS_BY_FUNCTION = {
  api: DYNAMODB_ACTIONS,
  websocket: WEBSOCKET_DYNAMODB_ACTIONS,
  publisher: PUBLISHER_DYNAMODB_ACTIONS,
} as const satisfies Record<string, DynamoDbGrants>;

export type FunctionKind = keyof typeof DYNAMODB_ACTIONS_BY_FUNCTION;

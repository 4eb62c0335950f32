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

export interface TableSpec {
  /** Logical name: the suffix of the deployed table name and the key in `tables`. */
  readonly name: 'users' | 'items';
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexSpec[];
  readonly pointInTimeRecovery: true;
}

export const USERNAME_INDEX = 'username-index';
export const OWNER_ID_INDEX = 'owner-id-index';

export const usersTable: TableSpec = {
  name: 'users',
  partitionKey: { name: 'id', type: 'S' },
  globalIndexes: [{ indexName: USERNAME_INDEX, partitionKey: { name: 'username', type: 'S' } }],
  pointInTimeRecovery: true,
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
};

export const tables = { users: usersTable, items: itemsTable } as const;

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

/**
 * Exactly the DynamoDB actions this service's code sends, per table and per index: the
 * execution role is granted these and nothing else (the CDK stack builds its policy from this),
 * and a test proves the repositories send nothing outside it.
 */
export const DYNAMODB_ACTIONS = {
  // Login and name claims read one marker; profiles load in batches; registration puts twice.
  users: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
  // Reads by id in batches; GetItem only to explain a failed conditional write.
  items: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
  itemsIndexes: ['dynamodb:Query'],
} as const satisfies Record<'users' | 'items' | 'itemsIndexes', readonly `dynamodb:${string}`[]>;

import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { tables, type TableName, type TableSpec } from '../../src/storage/tables.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';

const NAMES: Readonly<Record<TableName, string>> = {
  users: 'specs-users',
  items: 'specs-items',
  connections: 'specs-connections',
};

function keySchema(spec: { partitionKey: { name: string }; sortKey?: { name: string } }) {
  return [
    { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
    ...(spec.sortKey ? [{ AttributeName: spec.sortKey.name, KeyType: 'RANGE' }] : []),
  ];
}

function expectShapeOf(table: TableDescription | undefined, spec: TableSpec): void {
  expect(table?.KeySchema).toEqual(keySchema(spec));
  expect(
    (table?.GlobalSecondaryIndexes ?? []).map((index) => ({ name: index.IndexName, keys: index.KeySchema })),
  ).toEqual(spec.globalIndexes.map((index) => ({ name: index.indexName, keys: keySchema(index) })));
}

/** What each server does with the settings (dynalite accepts both and implements neither). */
const SUPPORTS: Record<string, { streams: boolean; ttl: boolean }> = {
  dynalite: { streams: false, ttl: false },
  'DynamoDB Local': { streams: true, ttl: true },
};

/** The emulators build every table of tables.ts as the CDK stack does (test/infra/*.test.ts). */
describe.each(dynamoBackends)('Tables are data: ensureTables on $name', (backend) => {
  let dynamo: RunningDynamo;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await backend.start();
    client = createDynamoClient({ region: 'eu-west-1', endpoint: dynamo.endpoint });
    await ensureTables(client, NAMES);
  });
  afterAll(() => dynamo.close());

  it.each(Object.values(tables))(
    'creates the $name table with the keys and indexes of its spec',
    async (spec) => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: NAMES[spec.name] }));
      expectShapeOf(Table, spec);
    },
  );

  it('is idempotent: a second run changes nothing and does not fail', async () => {
    await ensureTables(client, NAMES);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames?.filter((name) => name.startsWith('specs-')).sort()).toEqual(
      Object.values(NAMES).sort(),
    );
  });

  it('streams new and old images of the items table only, where the server has streams', async () => {
    const { streams } = SUPPORTS[backend.name] ?? { streams: true };
    for (const spec of Object.values(tables)) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: NAMES[spec.name] }));
      expect(Table?.StreamSpecification).toEqual(
        streams && spec.stream ? { StreamEnabled: true, StreamViewType: spec.stream } : undefined,
      );
    }
    expect(tables.items.stream).toBe('NEW_AND_OLD_IMAGES');
  });

  it('turns TTL on, on expires_at, on every table, where the server has TTL', async () => {
    const { ttl } = SUPPORTS[backend.name] ?? { ttl: true };
    for (const spec of Object.values(tables)) {
      const { TimeToLiveDescription } = await client.send(
        new DescribeTimeToLiveCommand({ TableName: NAMES[spec.name] }),
      );
      expect(TimeToLiveDescription).toEqual(
        ttl ? { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires_at' } : { TimeToLiveStatus: 'DISABLED' },
      );
    }
  });

  it('leaves a table out when its caller names none (callers from before subscriptions)', async () => {
    const older = { users: 'older-users', items: 'older-items' };
    await ensureTables(client, older);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames?.filter((name) => name.startsWith('older-')).sort()).toEqual([
      'older-items',
      'older-users',
    ]);
  });
});

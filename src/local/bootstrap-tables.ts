import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { keyAttributes, tables, type TableSpec } from '../storage/tables.js';

export interface TableNames {
  readonly users: string;
  readonly items: string;
  /** Optional until every caller serves subscriptions: a table without a name is not created. */
  readonly connections?: string;
}

/** Creates whichever of the service's tables are missing, exactly as `tables.ts` describes them. */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    Object.values(tables).map((spec) => {
      const tableName = names[spec.name];
      return tableName === undefined ? undefined : ensureTable(client, spec, tableName);
    }),
  );
}

async function ensureTable(client: DynamoDBClient, spec: TableSpec, tableName: string): Promise<void> {
  if (await tableExists(client, tableName)) return;
  let created = true;
  try {
    await client.send(createTableCommand(spec, tableName));
  } catch (error) {
    // Another process bootstrapping the same emulator got there first: that is success.
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  if (created) await enableTimeToLive(client, spec, tableName);
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/**
 * TTL as the deployed table has it, where the server knows TTL (DynamoDB Local does). dynalite
 * answers UnknownOperationException: it never expires rows, which the code already allows for
 * by checking `expires_at` itself.
 */
async function enableTimeToLive(client: DynamoDBClient, spec: TableSpec, tableName: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: spec.timeToLiveAttribute },
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === 'UnknownOperationException')) throw error;
  }
}

export function createTableCommand(spec: TableSpec, tableName: string): CreateTableCommand {
  const keySchema = (partitionKey: { name: string }, sortKey?: { name: string }) => [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
  return new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes(spec).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    GlobalSecondaryIndexes: spec.globalIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    })),
    // DynamoDB Local serves the stream (the publisher's tests read it); dynalite accepts and
    // ignores the setting.
    ...(spec.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } } : {}),
  });
}

import { readFileSync } from 'node:fs';
import { CreateTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The old FastAPI deployment's tables, exactly as its Terraform (`infra/terraform/tf-backend/
 * dynamodb.tf` of Baricodes/Basic_Item_Crud_APP) defines them: on demand, partition key `id`;
 * users with GSI `username-index` on `username`, items with GSI `owner-id-index` on `owner_id`
 * alone (no sort key), both projecting ALL. (PITR, also on there, is no part of a table's shape.)
 */
export interface LegacyTableNames {
  readonly users: string;
  readonly items: string;
}

export interface LegacyUserFixture {
  readonly record: { readonly id: string; readonly username: string; readonly hashed_password: string };
  /** The password that logs in on the old service. */
  readonly password: string;
}

export interface LegacyItemFixture {
  readonly id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly description: string;
}

export interface LegacyFixture {
  readonly users: readonly LegacyUserFixture[];
  readonly items: readonly LegacyItemFixture[];
}

/**
 * Real passlib bcrypt hashes with their passwords, and items in the old shape (a copy of
 * `../shared/fixtures/legacy-records.json`, so that the repository's tests need nothing outside it).
 */
export const legacyFixture: LegacyFixture = JSON.parse(
  readFileSync(new URL('../fixtures/legacy-records.json', import.meta.url), 'utf8'),
) as LegacyFixture;

export async function createLegacyTables(client: DynamoDBClient, names: LegacyTableNames): Promise<void> {
  await Promise.all([
    client.send(legacyTable(names.users, 'username', 'username-index')),
    client.send(legacyTable(names.items, 'owner_id', 'owner-id-index')),
  ]);
  for (const TableName of [names.users, names.items]) {
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName });
  }
}

function legacyTable(tableName: string, indexKey: string, indexName: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: indexKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: indexName,
        KeySchema: [{ AttributeName: indexKey, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
}

/** The fixture's rows, written as the old service wrote them (plain puts, its shapes). */
export async function loadLegacyFixture(
  doc: DynamoDBDocumentClient,
  names: LegacyTableNames,
  fixture: LegacyFixture = legacyFixture,
): Promise<void> {
  await putRows(
    doc,
    names.users,
    fixture.users.map((u) => u.record),
  );
  await putRows(doc, names.items, fixture.items);
}

/** BatchWriteItem, 25 rows a call, until nothing is left unprocessed. */
export async function putRows(
  doc: DynamoDBDocumentClient,
  table: string,
  rows: readonly object[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = rows
      .slice(i, i + 25)
      .map((Item) => ({ PutRequest: { Item } }));
    while (pending && pending.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
}

/** Every row of a table, sorted by id: what two tables are compared by. */
export async function tableContents(
  doc: DynamoDBDocumentClient,
  table: string,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }),
    );
    rows.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return rows.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
}

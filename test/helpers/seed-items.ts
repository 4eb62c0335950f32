import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemRecordOf } from '../../src/migrate/target-records.js';

/** BatchWriteItem's own limit. */
const BATCH_WRITE_LIMIT = 25;

/**
 * How seeded rows are shaped: `current` as the service writes an item; `migrated` as `npm run
 * migrate` copies one of the old service's rows (dated from its id, so in the owner index too).
 */
export type SeedShape = 'current' | 'migrated';

/**
 * Writes `count` items of `ownerId` straight into the items table with BatchWriteItem (25 per
 * call), as rows that are already there: thousands of API calls would only slow the suite.
 * Returns their ids.
 */
export async function seedItems(
  doc: DynamoDBDocumentClient,
  table: string,
  ownerId: string,
  count: number,
  shape: SeedShape = 'current',
): Promise<string[]> {
  const start = Date.now() - count;
  const rows = Array.from({ length: count }, (_, i) => {
    const item = { id: randomUUID(), ownerId, name: `seeded ${i}`, description: `number ${i}` };
    if (shape === 'migrated') return itemRecordOf(item);
    const at = new Date(start + i).toISOString();
    return {
      id: item.id,
      owner_id: ownerId,
      name: item.name,
      description: item.description,
      created_at: at,
      updated_at: at,
      version: 1,
    };
  });
  for (let i = 0; i < rows.length; i += BATCH_WRITE_LIMIT) {
    let pending: Record<string, unknown>[] | undefined = rows
      .slice(i, i + BATCH_WRITE_LIMIT)
      .map((Item) => ({ PutRequest: { Item } }));
    // Whatever the emulator leaves unprocessed is sent again until nothing is left.
    while (pending && pending.length > 0) {
      const output = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = output.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
  return rows.map((row) => row.id);
}

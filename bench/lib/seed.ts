import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemRecord } from '../../src/storage/records.js';

const BATCH_WRITE_LIMIT = 25;

/**
 * Writes `count` items of one owner straight into the table with BatchWriteItem, in the stored
 * shape the service writes, with distinct `created_at` one millisecond apart (oldest first).
 * Much faster than creating them through the API, which is not what is being measured.
 */
export async function seedItems(
  doc: DynamoDBDocumentClient,
  table: string,
  ownerId: string,
  count: number,
): Promise<ItemRecord[]> {
  const start = Date.now() - count;
  const records: ItemRecord[] = Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i).toISOString();
    return {
      id: randomUUID(),
      owner_id: ownerId,
      name: `seeded item ${i}`,
      description: `seeded for the benchmark, number ${i}`,
      created_at: at,
      updated_at: at,
      version: 1,
    };
  });
  for (let i = 0; i < records.length; i += BATCH_WRITE_LIMIT) {
    let pending: Record<string, unknown>[] | undefined = records
      .slice(i, i + BATCH_WRITE_LIMIT)
      .map((Item) => ({ PutRequest: { Item } }));
    // Unprocessed writes are retried until none is left (dynalite returns them only past ~1 MB).
    while (pending && pending.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = out.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
  }
  return records;
}

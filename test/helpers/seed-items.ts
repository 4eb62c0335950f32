import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchWriteItem's own limit. */
const BATCH_WRITE_LIMIT = 25;

/**
 * How seeded rows are shaped: `current` as the service writes an item (dated, versioned: in
 * the owner index); `old` as the old FastAPI service wrote them (`{id, owner_id, name,
 * description}` only, so not in the owner index, whose sort key is `created_at`).
 */
export type SeedShape = 'current' | 'old';

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
    const row = { id: randomUUID(), owner_id: ownerId, name: `seeded ${i}`, description: `number ${i}` };
    if (shape === 'old') return row;
    const at = new Date(start + i).toISOString();
    return { ...row, created_at: at, updated_at: at, version: 1 };
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

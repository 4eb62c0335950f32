import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../domain/errors.js';
import { storageCall } from './storage-errors.js';

/** BatchWriteItem's own limit. */
export const MAX_WRITES_PER_BATCH = 25;
/** Batches in flight at once: fast for thousands of rows, gentle on the table's capacity. */
const PARALLEL_BATCHES = 8;
const MAX_ROUNDS = 8;
const BASE_DELAY_MS = 25;

type Key = Record<string, unknown>;

/** Deletes rows by partition key `id`: see `deleteByKeys`. */
export function deleteByIds(
  client: DynamoDBDocumentClient,
  tableName: string,
  ids: readonly string[],
): Promise<void> {
  return deleteByKeys(
    client,
    tableName,
    ids.map((id) => ({ id })),
  );
}

/**
 * Deletes rows by key, 25 per BatchWriteItem with several batches in flight; rows DynamoDB
 * leaves unprocessed (throttling) are sent again with backoff, a bounded number of times,
 * after which the deletion fails as `UnavailableError` (deleting is idempotent: a retry
 * finishes it).
 */
export async function deleteByKeys(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
): Promise<void> {
  const batches: Key[][] = [];
  for (let i = 0; i < keys.length; i += MAX_WRITES_PER_BATCH)
    batches.push(keys.slice(i, i + MAX_WRITES_PER_BATCH));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await deleteBatch(client, tableName, batches[next++] as Key[]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
}

async function deleteBatch(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let round = 1; ; round++) {
    const output = await storageCall(() =>
      client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } })),
    );
    requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    if (requests.length === 0) return;
    if (round >= MAX_ROUNDS) throw new UnavailableError('Database temporarily unavailable, retry shortly', 1);
    await sleep(Math.random() * BASE_DELAY_MS * 2 ** round);
  }
}

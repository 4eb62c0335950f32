import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../domain/errors.js';
import { storageCall } from './storage-errors.js';

/** BatchGetItem's own limit. */
export const MAX_KEYS_PER_BATCH_GET = 100;

export interface BatchGetOptions {
  /** Rounds for keys DynamoDB left unprocessed (first request included) before giving up. */
  readonly maxRounds?: number;
  readonly baseDelayMs?: number;
}

export const BATCH_GET_DEFAULTS = { maxRounds: 5, baseDelayMs: 20 } as const;

type Row = Record<string, unknown>;

/**
 * Rows of one table by partition key `id`, in the order of `ids`, null where missing.
 * Duplicates are fetched once; one key is one GetItem; at most 100 keys go in one BatchGetItem; keys DynamoDB leaves
 * unprocessed (throttling, the 16 MB cap) are asked for again with backoff, a bounded number
 * of times, after which the load fails as `UnavailableError` rather than pretend they are missing.
 */
export async function batchGetByIds(
  client: DynamoDBDocumentClient,
  tableName: string,
  ids: readonly string[],
  options: BatchGetOptions = {},
): Promise<(Row | null)[]> {
  const unique = [...new Set(ids)];
  // One key (most reads: an item, a profile): the same consistent read as a GetItem, which the
  // SDK builds and parses in about half the time of a one-key batch.
  if (unique.length === 1) {
    const row = await getById(client, tableName, unique[0] as string);
    return ids.map(() => row);
  }
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += MAX_KEYS_PER_BATCH_GET) {
    chunks.push(unique.slice(i, i + MAX_KEYS_PER_BATCH_GET));
  }
  const found = new Map<string, Row>();
  await Promise.all(
    chunks.map(async (chunk) => {
      for (const row of await fetchChunk(client, tableName, chunk, options)) found.set(row.id as string, row);
    }),
  );
  return ids.map((id) => found.get(id) ?? null);
}

async function getById(client: DynamoDBDocumentClient, tableName: string, id: string): Promise<Row | null> {
  const output = await storageCall(() =>
    client.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true })),
  );
  return (output.Item as Row | undefined) ?? null;
}

async function fetchChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  ids: readonly string[],
  options: BatchGetOptions,
): Promise<Row[]> {
  const { maxRounds, baseDelayMs } = { ...BATCH_GET_DEFAULTS, ...options };
  const rows: Row[] = [];
  let keys: Row[] = ids.map((id) => ({ id }));
  for (let round = 1; ; round++) {
    const output = await storageCall(() =>
      client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      ),
    );
    rows.push(...((output.Responses?.[tableName] ?? []) as Row[]));
    keys = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Row[];
    if (keys.length === 0) return rows;
    if (round >= maxRounds) {
      throw new UnavailableError('Database temporarily unavailable, retry shortly', 1);
    }
    await sleep(Math.random() * baseDelayMs * 2 ** round);
  }
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';
import type { Item, User } from '../domain/entities.js';
import { batchGetByIds, MAX_KEYS_PER_BATCH_GET, type BatchGetOptions } from './batch-get.js';
import { isStorableId, isUserId, readItemRow, readUserRow, type Row } from './records.js';

export interface Loaders {
  readonly users: DataLoader<string, User | null>;
  readonly items: DataLoader<string, Item | null>;
}

/** Told about a row that cannot be made an entity; the row then reads as missing. */
export type InvalidRowReporter = (table: string, id: unknown, problem: string) => void;

export interface LoaderOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tables: { readonly users: string; readonly items: string };
  readonly batchGet?: BatchGetOptions;
  /** Where rows that cannot be made entities are reported (the request's logger); they read as missing. */
  readonly onInvalidRow?: InvalidRowReporter;
}

/**
 * Fresh loaders for one request: every load by id in one tick becomes ⌈unique ids / 100⌉
 * BatchGetItem calls. Nothing is cached beyond the request.
 */
export function createLoaders(options: LoaderOptions): Loaders {
  const { client, tables, batchGet, onInvalidRow = () => undefined } = options;
  const loader = <T>(
    tableName: string,
    plausible: (id: string) => boolean,
    toEntity: (row: Row) => T | null,
  ) =>
    new DataLoader<string, T | null>(
      async (ids) => {
        // Ids no key can hold are answered without asking (DynamoDB would reject the whole batch).
        const asked = ids.filter(plausible);
        const rows = await batchGetByIds(client, tableName, asked, batchGet);
        const byId = new Map(asked.map((id, i) => [id, rows[i] ?? null]));
        return ids.map((id) => {
          const row = byId.get(id);
          return row ? toEntity(row) : null;
        });
      },
      { maxBatchSize: MAX_KEYS_PER_BATCH_GET },
    );
  return {
    users: loader(tables.users, isUserId, (row) => {
      const read = readUserRow(row);
      if (read.kind === 'user') return read.user;
      onInvalidRow(tables.users, row.id, read.problem);
      return null;
    }),
    items: loader(tables.items, isStorableId, (row) => itemOrNull(row, tables.items, onInvalidRow)),
  };
}

/** The item a row holds; null for a tombstone, and for an invalid row once reported. */
export function itemOrNull(row: Row, table: string, onInvalidRow: InvalidRowReporter): Item | null {
  const read = readItemRow(row);
  if (read.kind === 'item') return read.item;
  if (read.kind === 'invalid') onInvalidRow(table, row.id, read.problem);
  return null;
}

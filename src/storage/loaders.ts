import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';
import type { Item, User } from '../domain/entities.js';
import { batchGetByIds, MAX_KEYS_PER_BATCH_GET, type BatchGetOptions } from './batch-get.js';
import { isStorableId, toItem, toUser } from './records.js';
import { isUserId } from './user-repository.js';

export interface Loaders {
  readonly users: DataLoader<string, User | null>;
  readonly items: DataLoader<string, Item | null>;
}

export interface LoaderOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tables: { readonly users: string; readonly items: string };
  readonly batchGet?: BatchGetOptions;
}

/**
 * Fresh loaders for one request: every load by id in one tick becomes ⌈unique ids / 100⌉
 * BatchGetItem calls. Nothing is cached beyond the request.
 */
export function createLoaders(options: LoaderOptions): Loaders {
  const { client, tables, batchGet } = options;
  const loader = <T>(
    tableName: string,
    plausible: (id: string) => boolean,
    toEntity: (row: Record<string, unknown>) => T,
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
    users: loader(tables.users, isUserId, toUser),
    items: loader(tables.items, isStorableId, toItem),
  };
}

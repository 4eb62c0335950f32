import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type DataLoader from 'dataloader';
import type { Item, Page } from '../domain/entities.js';
import { NotFoundError, PreconditionFailedError } from '../domain/errors.js';
import { ITEM_NOT_FOUND } from '../domain/item-service.js';
import type { ItemPatch, ItemRepository, ItemWriteGuard } from '../domain/ports.js';
import type { PageCursors } from './page-cursor.js';
import { itemOrNull, type InvalidRowReporter } from './loaders.js';
import { isStorableId, readItemRow, toItemRecord, type Row } from './records.js';
import { isConditionFailure, storageCall } from './storage-errors.js';
import { OWNER_ID_INDEX } from './tables.js';

export const VERSION_MISMATCH = 'Item was modified by someone else (version mismatch)';

export interface ItemRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** This request's item loader (see `loaders.ts`). */
  readonly loader: DataLoader<string, Item | null>;
  readonly cursors: PageCursors;
  readonly onInvalidRow?: InvalidRowReporter;
}

/**
 * Items in the items table. Every write is one call whose condition expression checks
 * existence, owner and (when asked) version itself: no read-then-write, no race.
 */
export class DynamoItemRepository implements ItemRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly loader: DataLoader<string, Item | null>;
  private readonly cursors: PageCursors;
  private readonly onInvalidRow: InvalidRowReporter;

  constructor(options: ItemRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.loader = options.loader;
    this.cursors = options.cursors;
    this.onInvalidRow = options.onInvalidRow ?? (() => undefined);
  }

  getById(id: string): Promise<Item | null> {
    return this.loader.load(id);
  }

  async getManyById(ids: readonly string[]): Promise<(Item | null)[]> {
    const results = await this.loader.loadMany(ids);
    return results.map((result) => {
      if (result instanceof Error) throw result;
      return result;
    });
  }

  async create(item: Item): Promise<void> {
    await storageCall(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItemRecord(item),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    );
    this.loader.clear(item.id).prime(item.id, item);
  }

  async update(guard: ItemWriteGuard, patch: ItemPatch, updatedAt: string): Promise<Item> {
    if (!isStorableId(guard.id)) throw new NotFoundError(ITEM_NOT_FOUND);
    // A row the old service wrote has no version and reads as version 1 (see toItem): it becomes 2.
    const sets = ['updated_at = :updated_at', '#version = if_not_exists(#version, :one) + :one'];
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':updated_at': updatedAt, ':one': 1 };
    if (patch.name !== undefined) {
      sets.push('#name = :name');
      names['#name'] = 'name';
      values[':name'] = patch.name;
    }
    if (patch.description !== undefined) {
      sets.push('description = :description');
      values[':description'] = patch.description;
    }
    const condition = this.guardCondition(guard, names, values);
    try {
      const output = await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id: guard.id },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      const read = readItemRow(output.Attributes as Row);
      if (read.kind !== 'item') throw new Error(`updated item ${guard.id} reads as ${read.kind}`);
      const { item } = read;
      this.loader.clear(item.id).prime(item.id, item);
      return item;
    } catch (error) {
      throw await this.explainFailedCondition(error, guard);
    }
  }

  async delete(guard: ItemWriteGuard): Promise<void> {
    if (!isStorableId(guard.id)) throw new NotFoundError(ITEM_NOT_FOUND);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const condition = this.guardCondition(guard, names, values);
    try {
      await storageCall(() =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { id: guard.id },
            ConditionExpression: condition,
            ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      this.loader.clear(guard.id).prime(guard.id, null);
    } catch (error) {
      throw await this.explainFailedCondition(error, guard);
    }
  }

  async listByOwner(
    ownerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Item>> {
    const start = page.cursor === undefined ? undefined : this.cursors.open(ownerId, page.cursor);
    const output = await storageCall(() =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: OWNER_ID_INDEX,
          KeyConditionExpression: 'owner_id = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
          ScanIndexForward: false,
          // One more than asked tells whether another page exists, without a second call.
          Limit: page.limit + 1,
          ExclusiveStartKey: start && { id: start.id, owner_id: ownerId, created_at: start.createdAt },
        }),
      ),
    );
    const rows = (output.Items ?? []) as Row[];
    const onPage = rows.slice(0, page.limit);
    // A row that cannot be made an item is logged and left out; the page still ends where the
    // index says, so a run of such rows can never end the listing early.
    const items = onPage
      .map((row) => itemOrNull(row, this.tableName, this.onInvalidRow))
      .filter((item): item is Item => item !== null);
    const last = onPage.at(-1);
    const nextCursor =
      rows.length > page.limit && last
        ? this.cursors.seal(ownerId, { id: String(last.id), createdAt: String(last.created_at) })
        : null;
    return { items, nextCursor };
  }

  cursorAfter(item: Item): string {
    return this.cursors.seal(item.ownerId, { id: item.id, createdAt: item.createdAt });
  }

  private guardCondition(
    guard: ItemWriteGuard,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): string {
    values[':owner'] = guard.ownerId;
    const checks = ['attribute_exists(id)', 'owner_id = :owner'];
    if (guard.expectedVersion !== undefined) {
      names['#version'] = 'version';
      values[':expected'] = guard.expectedVersion;
      // Version 1 is also what a row without a version reads as.
      checks.push(
        guard.expectedVersion === 1
          ? '(attribute_not_exists(#version) OR #version = :expected)'
          : '#version = :expected',
      );
    }
    return checks.join(' AND ');
  }

  /**
   * A failed condition means missing, someone else's, or a stale version. Only the last is
   * worth telling apart, and only then is the item read (one extra call, on the failure path).
   */
  private async explainFailedCondition(error: unknown, guard: ItemWriteGuard): Promise<unknown> {
    if (!isConditionFailure(error)) return error;
    if (guard.expectedVersion === undefined) return new NotFoundError(ITEM_NOT_FOUND);
    const output = await storageCall(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { id: guard.id }, ConsistentRead: true }),
      ),
    );
    const current = output.Item;
    this.loader.clear(guard.id);
    return current && current.owner_id === guard.ownerId
      ? new PreconditionFailedError(VERSION_MISMATCH)
      : new NotFoundError(ITEM_NOT_FOUND);
  }
}

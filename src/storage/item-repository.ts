import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type DataLoader from 'dataloader';
import type { Item, Page } from '../domain/entities.js';
import { ItemNotFoundError, PreconditionFailedError, ValidationError } from '../domain/errors.js';
import type { ItemCreateOptions, ItemPatch, ItemRepository, ItemWriteGuard } from '../domain/ports.js';
import { deleteByIds } from './batch-delete.js';
import { queryPages } from './query-pages.js';
import { legacyCreatedAt } from './legacy.js';
import { itemOrNull, type InvalidRowReporter } from './loaders.js';
import type { PageCursors } from './page-cursor.js';
import { requestDigest } from './request-digest.js';
import { isStorableId, readItemRow, toItemRecord, type Row } from './records.js';
import { isConditionFailure, rowAtConditionFailure, storageCall } from './storage-errors.js';
import { OWNER_ID_INDEX } from './tables.js';

export const VERSION_MISMATCH = 'Item was modified by someone else (version mismatch)';
export const IDEMPOTENCY_KEY_REUSED = 'This Idempotency-Key was already used with a different request';

/** Keys per page when deleting every item of an owner, and how many times to look again. */
const DELETION_PAGE = 1_000;
const DELETION_PASSES = 5;

/** How long a deleted item's tombstone is kept (DynamoDB TTL): see `ItemTombstoneRecord`. */
export const TOMBSTONE_DAYS = 90;

export interface ItemRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** This request's item loader (see `loaders.ts`). */
  readonly loader: DataLoader<string, Item | null>;
  readonly cursors: PageCursors;
  readonly onInvalidRow?: InvalidRowReporter;
  readonly now?: () => Date;
}

/**
 * Items in the items table. Every write is one call whose condition expression checks
 * existence, owner and (when asked) version itself: no read-then-write, no race. Each write
 * also stores a token of its own; when the SDK retries a write whose answer was lost, the
 * retry fails its condition against its own first attempt, recognises its token in the item
 * the failure returns (or, on servers that return none, in one read on that failure path
 * only) and answers as the first attempt would have.
 */
export class DynamoItemRepository implements ItemRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly loader: DataLoader<string, Item | null>;
  private readonly cursors: PageCursors;
  private readonly onInvalidRow: InvalidRowReporter;
  private readonly now: () => Date;
  /** Listings of this request, by owner and page: `User.items` asked twice is one Query. */
  private readonly pages = new Map<string, Promise<Page<Item>>>();

  constructor(options: ItemRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.loader = options.loader;
    this.cursors = options.cursors;
    this.onInvalidRow = options.onInvalidRow ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
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

  async create(item: Item, options: ItemCreateOptions = {}): Promise<Item> {
    const token = randomUUID();
    const digest = options.idempotent ? requestDigest(item) : undefined;
    try {
      await storageCall(() =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItemRecord(item, { write_token: token, ...(digest ? { request_digest: digest } : {}) }),
            // A deleted item's tombstone may be written over: an idempotency key is remembered
            // only as long as its item exists.
            ConditionExpression: 'attribute_not_exists(id) OR attribute_exists(deleted_at)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      this.written(item);
      return item;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.currentRow(error, item.id);
      if (!current) throw error;
      const existing = readItemRow(current);
      if (existing.kind !== 'item' || existing.item.ownerId !== item.ownerId) throw error;
      // Our own first attempt (its answer was lost), or the repeat of an idempotent create.
      if (current.write_token === token || (digest !== undefined && current.request_digest === digest)) {
        this.written(existing.item);
        return existing.item;
      }
      if (digest !== undefined) {
        throw new ValidationError([
          { path: ['idempotencyKey'], message: IDEMPOTENCY_KEY_REUSED, type: 'value_error' },
        ]);
      }
      throw error;
    }
  }

  async update(guard: ItemWriteGuard, patch: ItemPatch, updatedAt: string): Promise<Item> {
    if (!isStorableId(guard.id)) throw new ItemNotFoundError();
    const token = randomUUID();
    // A row the old service wrote has no version and reads as version 1 (see records.ts): it becomes 2.
    const sets = [
      'updated_at = :updated_at',
      '#version = if_not_exists(#version, :one) + :one',
      'write_token = :token',
    ];
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':updated_at': updatedAt, ':one': 1, ':token': token };
    if (patch.name !== undefined) {
      sets.push('#name = :name');
      names['#name'] = 'name';
      values[':name'] = patch.name;
    }
    if (patch.description !== undefined) {
      sets.push('description = :description');
      values[':description'] = patch.description;
    }
    // A row the old service wrote gets the date it reads with, and so joins the owner's listing.
    sets.push('created_at = if_not_exists(created_at, :legacy_created_at)');
    values[':legacy_created_at'] = legacyCreatedAt(guard.id);
    const condition = `${this.guardCondition(guard, names, values)} AND ${NOT_THIS_WRITE}`;
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
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const read = readItemRow(output.Attributes as Row);
      if (read.kind !== 'item') throw new Error(`updated item ${guard.id} reads as ${read.kind}`);
      this.written(read.item);
      return read.item;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.currentRow(error, guard.id);
      const read = current ? readItemRow(current) : undefined;
      if (current && read?.kind === 'item' && read.item.ownerId === guard.ownerId) {
        if (current.write_token === token) {
          this.written(read.item);
          return read.item;
        }
        if (guard.expectedVersion !== undefined) throw new PreconditionFailedError(VERSION_MISMATCH);
      }
      throw new ItemNotFoundError();
    }
  }

  /**
   * Leaves a tombstone (see `ItemTombstoneRecord`): one write, which removes the item from the
   * owner's listing and everything of it but its id.
   */
  async delete(guard: ItemWriteGuard): Promise<void> {
    if (!isStorableId(guard.id)) throw new ItemNotFoundError();
    const token = randomUUID();
    const now = this.now();
    const names: Record<string, string> = { '#name': 'name', '#version': 'version' };
    const values: Record<string, unknown> = {
      ':deleted_at': now.toISOString(),
      ':expires_at': Math.floor(now.getTime() / 1000) + TOMBSTONE_DAYS * 86_400,
      ':token': token,
    };
    const condition = this.guardCondition(guard, names, values);
    try {
      await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id: guard.id },
            UpdateExpression:
              'SET deleted_at = :deleted_at, expires_at = :expires_at, write_token = :token ' +
              'REMOVE owner_id, #name, description, created_at, updated_at, #version, request_digest, legacy_digest',
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.currentRow(error, guard.id);
      const read = current ? readItemRow(current) : undefined;
      if (current && read?.kind === 'deleted' && current.write_token === token) {
        // Our own first attempt landed; its answer was lost.
      } else if (
        read?.kind === 'item' &&
        read.item.ownerId === guard.ownerId &&
        guard.expectedVersion !== undefined
      ) {
        throw new PreconditionFailedError(VERSION_MISMATCH);
      } else {
        throw new ItemNotFoundError();
      }
    }
    this.pages.clear();
    this.loader.clear(guard.id).prime(guard.id, null);
  }

  /**
   * Every item of an owner, page by page of the owner index (keys only), deleted in batches:
   * 10 000 items are 400 batched deletes and 12 Queries (10 full pages, the empty page after the
   * last full one, the confirming pass). No tombstones: these are the items of
   * a deleted account, and nothing of it may stay. Passes repeat until one finds nothing (an
   * item created meanwhile, an index a moment behind), a bounded number of times.
   */
  async deleteAllOf(ownerId: string): Promise<number> {
    let deleted = 0;
    for (let pass = 0; pass < DELETION_PASSES; pass++) {
      let found = 0;
      for await (const rows of queryPages(this.client, {
        TableName: this.tableName,
        IndexName: OWNER_ID_INDEX,
        KeyConditionExpression: 'owner_id = :owner',
        ExpressionAttributeValues: { ':owner': ownerId },
        ProjectionExpression: 'id',
        Limit: DELETION_PAGE,
      })) {
        await deleteByIds(
          this.client,
          this.tableName,
          rows.map((row) => String(row.id)),
        );
        found += rows.length;
      }
      deleted += found;
      if (found === 0) break;
    }
    this.pages.clear();
    this.loader.clearAll();
    return deleted;
  }

  listByOwner(ownerId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<Item>> {
    const key = `${ownerId}\n${page.limit}\n${page.cursor ?? ''}`;
    let listed = this.pages.get(key);
    if (!listed) {
      listed = this.queryPage(ownerId, page);
      this.pages.set(key, listed);
      listed.catch(() => this.pages.delete(key));
    }
    return listed;
  }

  cursorAfter(item: Item): string {
    return this.cursors.seal(item.ownerId, { id: item.id, createdAt: item.createdAt });
  }

  private async queryPage(
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

  /** After a write: this request's reads see it, and its listings are asked again. */
  private written(item: Item): void {
    this.pages.clear();
    this.loader.clear(item.id).prime(item.id, item);
  }

  private guardCondition(
    guard: ItemWriteGuard,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): string {
    values[':owner'] = guard.ownerId;
    // A tombstone has no owner: a deleted item is as missing as one that never was.
    const checks = ['owner_id = :owner'];
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

  /** The item a failed condition met (the loader forgets what it had of it). */
  private async currentRow(
    error: Error & { Item?: Record<string, unknown> },
    id: string,
  ): Promise<Row | null> {
    this.loader.clear(id);
    return rowAtConditionFailure(error, this.client, this.tableName, id);
  }
}

/** A write that already happened (its token is in the item) must not happen twice. */
const NOT_THIS_WRITE = '(attribute_not_exists(write_token) OR write_token <> :token)';

import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../storage/storage-errors.js';
import type { Row } from '../storage/records.js';
import type { WriteCondition } from './conditions.js';

export type TableRole = 'users' | 'items';

export interface TargetTables {
  readonly users: string;
  readonly items: string;
}

/** Any stored shape (`UserRecord`, `ItemRecord`, ...): all keyed by `id`. */
export interface KeyedRow {
  readonly id: string;
}

export interface TargetKey {
  readonly table: TableRole;
  readonly id: string;
}

/** Rows found by one `getMany`, by table and id; null where absent. */
export class RowLookup {
  constructor(private readonly rows: ReadonlyMap<string, Row>) {}

  get(table: TableRole, id: string): Row | null {
    return this.rows.get(lookupKey(table, id)) ?? null;
  }
}

/**
 * The new tables, as the migration writes them. Reads are consistent; every write either
 * carries a condition or goes only to keys a read just found absent (a copied row keeps its old
 * id, which nobody but the migration can create). `DryRunTarget` is the same without writes.
 */
export interface Target {
  readonly tables: TargetTables;
  /** Consistent reads of any keys of both tables: ⌈keys / 100⌉ BatchGetItem calls. */
  getMany(keys: readonly TargetKey[]): Promise<RowLookup>;
  get(table: TableRole, id: string): Promise<Row | null>;
  /** One conditional PutItem; false when the condition did not hold (nothing was written). */
  put(table: TableRole, row: KeyedRow, condition: WriteCondition): Promise<boolean>;
  /** Rows whose keys were just read absent: BatchWriteItem, 25 at a time. */
  putNew(table: TableRole, rows: readonly KeyedRow[]): Promise<void>;
}

export const MAX_KEYS_PER_BATCH_GET = 100;
export const MAX_ROWS_PER_BATCH_WRITE = 25;

export interface RetryPolicy {
  /** Rounds for what DynamoDB left unprocessed, the first request included. */
  readonly maxRounds: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Generous: a migration would rather wait out throttling than stop halfway. */
export const MIGRATION_RETRY: RetryPolicy = { maxRounds: 10, baseDelayMs: 50, maxDelayMs: 5_000 };

export class LiveTarget implements Target {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tables: TargetTables,
    private readonly retry: RetryPolicy = MIGRATION_RETRY,
  ) {}

  async getMany(keys: readonly TargetKey[]): Promise<RowLookup> {
    const unique = [...new Map(keys.map((k) => [lookupKey(k.table, k.id), k])).values()];
    const found = new Map<string, Row>();
    const chunks: TargetKey[][] = [];
    for (let i = 0; i < unique.length; i += MAX_KEYS_PER_BATCH_GET) {
      chunks.push(unique.slice(i, i + MAX_KEYS_PER_BATCH_GET));
    }
    await Promise.all(chunks.map((chunk) => this.getChunk(chunk, found)));
    return new RowLookup(found);
  }

  async get(table: TableRole, id: string): Promise<Row | null> {
    const output = await this.client.send(
      new GetCommand({ TableName: this.tables[table], Key: { id }, ConsistentRead: true }),
    );
    return output.Item ?? null;
  }

  async put(table: TableRole, row: KeyedRow, condition: WriteCondition): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables[table],
          Item: row,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async putNew(table: TableRole, rows: readonly KeyedRow[]): Promise<void> {
    const chunks: KeyedRow[][] = [];
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_BATCH_WRITE) {
      chunks.push(rows.slice(i, i + MAX_ROWS_PER_BATCH_WRITE));
    }
    await Promise.all(chunks.map((chunk) => this.writeChunk(this.tables[table], chunk)));
  }

  private async getChunk(keys: readonly TargetKey[], found: Map<string, Row>): Promise<void> {
    const roleOf = new Map<string, TableRole>([
      [this.tables.users, 'users'],
      [this.tables.items, 'items'],
    ]);
    let requests: Record<string, { Keys: Row[]; ConsistentRead: true }> = {};
    for (const key of keys) {
      const request = (requests[this.tables[key.table]] ??= { Keys: [], ConsistentRead: true });
      request.Keys.push({ id: key.id });
    }
    for (let round = 1; ; round++) {
      const output = await this.client.send(new BatchGetCommand({ RequestItems: requests }));
      for (const [tableName, rows] of Object.entries(output.Responses ?? {})) {
        const role = roleOf.get(tableName) as TableRole;
        for (const row of rows) found.set(lookupKey(role, row.id as string), row);
      }
      const unprocessed = output.UnprocessedKeys ?? {};
      if (Object.values(unprocessed).every((r) => (r.Keys?.length ?? 0) === 0)) return;
      requests = unprocessed as typeof requests;
      await this.backOff(round, 'BatchGetItem keys');
    }
  }

  private async writeChunk(tableName: string, rows: readonly KeyedRow[]): Promise<void> {
    let pending: Record<string, unknown>[] = rows.map((Item) => ({ PutRequest: { Item } }));
    for (let round = 1; ; round++) {
      const output = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = (output.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
      if (pending.length === 0) return;
      await this.backOff(round, 'BatchWriteItem rows');
    }
  }

  /** Full jitter, capped; past the last round the run stops (a rerun resumes it). */
  private async backOff(round: number, what: string): Promise<void> {
    const { maxRounds, baseDelayMs, maxDelayMs } = this.retry;
    if (round >= maxRounds) throw new Error(`DynamoDB left ${what} unprocessed after ${maxRounds} rounds`);
    await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** round));
  }
}

export function lookupKey(table: TableRole, id: string): string {
  return `${table}\n${id}`;
}

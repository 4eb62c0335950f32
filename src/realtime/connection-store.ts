import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteByKeys } from '../storage/batch-delete.js';
import { queryPages } from '../storage/query-pages.js';
import { isConditionFailure } from '../storage/storage-errors.js';
import { OWNER_INDEX } from '../storage/tables.js';

/** API Gateway closes every WebSocket connection after 2 hours; its rows need not outlive it. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;
/** Slack for clocks and for TTL's own delay before rows count as gone. */
const EXPIRY_MARGIN_SECONDS = 5 * 60;

const CONNECTION_SK = 'connection';
const SUBSCRIPTION_PREFIX = 'sub#';

/** A connection that sent `connection_init` with a good token. */
export interface ConnectionRecord {
  readonly connection_id: string;
  readonly sk: typeof CONNECTION_SK;
  readonly user_id: string;
  /** Epoch seconds: the token's `exp`; no event is delivered after it. */
  readonly token_expires_at: number;
  readonly connected_at: number;
  /** Epoch seconds (TTL), on every row of the connection. */
  readonly expires_at: number;
}

/** One live subscription: what the publisher needs to deliver without reading anything else. */
export interface SubscriptionRecord {
  readonly connection_id: string;
  readonly sk: string;
  /** The subscriber: the `owner-index` key the publisher queries by. */
  readonly owner_id: string;
  readonly subscription_id: string;
  readonly query: string;
  readonly operation_name?: string;
  readonly variables?: Record<string, unknown>;
  readonly token_expires_at: number;
  readonly expires_at: number;
}

export interface ConnectionState {
  readonly connection: ConnectionRecord | null;
  readonly subscriptionIds: readonly string[];
}

export type SubscriptionInput = Pick<
  SubscriptionRecord,
  'connection_id' | 'owner_id' | 'subscription_id' | 'query' | 'operation_name' | 'variables'
> &
  Pick<ConnectionRecord, 'token_expires_at' | 'expires_at'>;

/**
 * The connections table (tables.ts): one `connection` row per initialised WebSocket
 * connection and one `sub#<id>` row per subscription, each with the subscriber as `owner_id`
 * so that `owner-index` finds all of a user's subscriptions in one Query. Rows carry the
 * connection's TTL; readers also skip expired rows themselves, since TTL deletes late.
 */
export class ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The TTL of a connection opened at `connectedAtMs` (API Gateway's `connectedAt`). */
  static expiresAt(connectedAtMs: number): number {
    return Math.floor(connectedAtMs / 1000) + MAX_CONNECTION_SECONDS + EXPIRY_MARGIN_SECONDS;
  }

  /** False when the connection was already initialised (a second `connection_init`). */
  async saveConnection(record: Omit<ConnectionRecord, 'sk'>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, sk: CONNECTION_SK },
          ConditionExpression: 'attribute_not_exists(connection_id)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The connection row and its subscriptions' ids, in one strongly consistent Query. */
  async state(connectionId: string): Promise<ConnectionState> {
    const rows = await this.rowsOf(connectionId, { consistent: true });
    const live = rows.filter((row) => !this.expired(row));
    const connection = (live.find((row) => row.sk === CONNECTION_SK) as ConnectionRecord | undefined) ?? null;
    const subscriptionIds = live
      .filter((row) => String(row.sk).startsWith(SUBSCRIPTION_PREFIX))
      .map((row) => String(row.sk).slice(SUBSCRIPTION_PREFIX.length));
    return { connection, subscriptionIds };
  }

  /** The user's live subscriptions across connections (`owner-index`, eventually consistent). */
  async countSubscriptions(ownerId: string): Promise<number> {
    return (await this.subscriptionsOf(ownerId)).length;
  }

  /** False when the connection already has a subscription with this id. */
  async saveSubscription(input: SubscriptionInput): Promise<boolean> {
    const item: SubscriptionRecord = { ...input, sk: `${SUBSCRIPTION_PREFIX}${input.subscription_id}` };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async deleteSubscription(connectionId: string, subscriptionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { connection_id: connectionId, sk: `${SUBSCRIPTION_PREFIX}${subscriptionId}` },
      }),
    );
  }

  /** Every live subscription of a user: the one Query per owner the publisher makes per batch. */
  async subscriptionsOf(ownerId: string): Promise<SubscriptionRecord[]> {
    const found: SubscriptionRecord[] = [];
    for await (const rows of queryPages(this.client, {
      TableName: this.tableName,
      IndexName: OWNER_INDEX,
      KeyConditionExpression: 'owner_id = :owner AND begins_with(sk, :sub)',
      ExpressionAttributeValues: { ':owner': ownerId, ':sub': SUBSCRIPTION_PREFIX },
    })) {
      for (const row of rows) if (!this.expired(row)) found.push(row as unknown as SubscriptionRecord);
    }
    return found;
  }

  /** All rows of a connection (its `$disconnect`, or a post that found it gone). */
  async deleteConnection(connectionId: string): Promise<void> {
    const rows = await this.rowsOf(connectionId, { consistent: true });
    await this.deleteRows(rows.map((row) => ({ connection_id: connectionId, sk: row.sk })));
  }

  /** Rows by key, in batches, retrying what DynamoDB left unprocessed. */
  deleteRows(keys: readonly { connection_id: string; sk: unknown }[]): Promise<void> {
    return deleteByKeys(this.client, this.tableName, keys);
  }

  private async rowsOf(
    connectionId: string,
    options: { consistent: boolean },
  ): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const page of queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'connection_id = :id',
      ExpressionAttributeValues: { ':id': connectionId },
      ConsistentRead: options.consistent,
    })) {
      rows.push(...page);
    }
    return rows;
  }

  private expired(row: Record<string, unknown>): boolean {
    return typeof row.expires_at === 'number' && row.expires_at * 1000 <= this.now();
  }
}

import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { User } from '../domain/entities.js';
import type { Credentials } from '../domain/ports.js';
import { deleteByIds } from './batch-delete.js';
import { queryPages } from './query-pages.js';
import { usernameKey } from '../domain/input-rules.js';
import { deletionReceiptId, exactMarkerId, markerId, type Row } from './records.js';
import { isConditionFailure, storageCall } from './storage-errors.js';
import { USERNAME_INDEX } from './tables.js';

/**
 * Everything of one account in the users table, for its deletion: the credentials (marked
 * first, so that nothing signs in while the rest goes; deleted last, so that the name is free
 * only when nothing is left), the user record and the sign-in sessions (both found through
 * `username-index`), and a receipt keyed by a digest of the user id that, once the deletion
 * is done, holds nothing of the user.
 */
export class AccountRows {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number,
  ) {}

  async startDeletion(user: User, credentials: Credentials): Promise<void> {
    try {
      await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id: credentials.ref },
            UpdateExpression: 'SET deleting_at = if_not_exists(deleting_at, :now)',
            ConditionExpression: 'user_id = :user',
            ExpressionAttributeValues: { ':now': new Date(this.now()).toISOString(), ':user': user.id },
          }),
        ),
      );
    } catch (error) {
      // The credentials are gone: a deletion of the same account sent at once got further. The
      // rest of this one repeats its steps, each idempotent; no receipt is pending.
      if (isConditionFailure(error)) return;
      throw error;
    }
    // What is left to delete if the user record goes and the credentials do not (an interruption).
    await storageCall(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: deletionReceiptId(user.id), pending_credentials: credentials.ref },
        }),
      ),
    );
  }

  async finishDeletion(user: { id: string; username: string | null }, credentialsRef: string): Promise<void> {
    if (user.username !== null)
      await deleteByIds(this.client, this.tableName, await this.rowsOf(user.id, user.username));
    await this.deleteCredentials(user.id, credentialsRef);
    await storageCall(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: deletionReceiptId(user.id), deleted_at: new Date(this.now()).toISOString() },
        }),
      ),
    );
  }

  async deletionState(userId: string): Promise<{ done: boolean; pendingCredentialsRef?: string } | null> {
    const output = await storageCall(() =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { id: deletionReceiptId(userId) },
          ConsistentRead: true,
        }),
      ),
    );
    const receipt = output.Item;
    if (!receipt) return null;
    return typeof receipt.pending_credentials === 'string'
      ? { done: false, pendingCredentialsRef: receipt.pending_credentials }
      : { done: true };
  }

  /** The user record and the sessions: every row the index holds under this name for this user. */
  private async rowsOf(userId: string, username: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const rows of queryPages(this.client, {
      TableName: this.tableName,
      IndexName: USERNAME_INDEX,
      KeyConditionExpression: 'username = :name',
      ExpressionAttributeValues: { ':name': username },
      ProjectionExpression: 'id, user_id',
    })) {
      for (const row of rows) if (row.id === userId || row.user_id === userId) ids.push(String(row.id));
    }
    return ids;
  }

  /**
   * The credentials, and for an old name that collided once case-folded, its place in the
   * reservation of the folded name (the reservation itself goes with its last name).
   */
  private async deleteCredentials(userId: string, ref: string): Promise<void> {
    try {
      await storageCall(() =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { id: ref },
            ConditionExpression: 'attribute_not_exists(id) OR user_id = :user',
            ExpressionAttributeValues: { ':user': userId },
          }),
        ),
      );
    } catch (error) {
      // Someone else's credentials are at this key now: ours are gone already.
      if (!isConditionFailure(error)) throw error;
    }
    const exactPrefix = exactMarkerId('');
    if (ref.startsWith(exactPrefix)) await this.leaveReservation(ref.slice(exactPrefix.length));
  }

  private async leaveReservation(exactName: string): Promise<void> {
    const id = markerId(usernameKey(exactName));
    for (let attempt = 0; attempt < 3; attempt++) {
      const output = await storageCall(() =>
        this.client.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true })),
      );
      const reservation = output.Item as Row | undefined;
      const names = Array.isArray(reservation?.names) ? (reservation.names as string[]) : null;
      if (!reservation || reservation.collision !== true || !names?.includes(exactName)) return;
      const left = names.filter((name) => name !== exactName);
      try {
        await storageCall(() =>
          this.client.send(
            left.length === 0
              ? new DeleteCommand({
                  TableName: this.tableName,
                  Key: { id },
                  ConditionExpression: '#names = :names',
                  ExpressionAttributeNames: { '#names': 'names' },
                  ExpressionAttributeValues: { ':names': names },
                })
              : new UpdateCommand({
                  TableName: this.tableName,
                  Key: { id },
                  UpdateExpression: 'SET #names = :left',
                  ConditionExpression: '#names = :names',
                  ExpressionAttributeNames: { '#names': 'names' },
                  ExpressionAttributeValues: { ':names': names, ':left': left },
                }),
          ),
        );
        return;
      } catch (error) {
        // Another change of the reservation meanwhile: read it again.
        if (!isConditionFailure(error)) throw error;
      }
    }
  }
}

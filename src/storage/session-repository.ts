import {
  BatchGetCommand,
  GetCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Credentials, Session, SessionRepository, SessionRotation } from '../domain/ports.js';
import { isStorableId, sessionId, type Row } from './records.js';
import { isConditionFailure, storageCall } from './storage-errors.js';
import { credentialsOf } from './user-repository.js';

/**
 * Sign-in sessions in the users table (see `SessionRecord`): the hash of each session's one
 * working refresh token, rotated by a conditional write so that exactly one of two concurrent
 * rotations wins. A session's first token (from the sign-in itself) is never stored: the row
 * appears at the first rotation, so signing in stays one read.
 */
export class DynamoSessionRepository implements SessionRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One BatchGetItem for the session and the credentials it depends on. */
  async load(
    id: string,
    credentialsRef: string,
  ): Promise<{ session: Session | null; credentials: Credentials | null }> {
    const keys = [sessionId(id), credentialsRef].filter(isStorableId).map((key) => ({ id: key }));
    if (keys.length < 2) return { session: null, credentials: null };
    const output = await storageCall(() =>
      this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      ),
    );
    // Two small rows never exceed a batch's limits; whatever came back unprocessed reads as missing.
    const rows = (output.Responses?.[this.tableName] ?? []) as Row[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return {
      session: sessionOf(byId.get(sessionId(id))),
      credentials: credentialsOf(byId.get(credentialsRef) ?? null),
    };
  }

  async rotate(rotation: SessionRotation): Promise<boolean> {
    const { sessionId: id, owner, from, to, generation, expiresAtSec } = rotation;
    try {
      await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id: sessionId(id) },
            UpdateExpression:
              'SET current_hash = :to, generation = :generation, user_id = :user, username = :username, expires_at = :expires',
            ConditionExpression:
              from === null
                ? 'attribute_not_exists(id)'
                : 'current_hash = :from AND attribute_not_exists(revoked_at)',
            ExpressionAttributeValues: {
              ':to': to,
              ':generation': generation,
              ':user': owner.userId,
              ':username': owner.username,
              ':expires': expiresAtSec,
              ...(from === null ? {} : { ':from': from }),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The new token's hash is in place: our own first attempt landed, its answer was lost.
      // (The row comes with the failure; from a server that returns none, one read.)
      const current = error.Item
        ? unmarshall(error.Item as Parameters<typeof unmarshall>[0])
        : (
            await storageCall(() =>
              this.client.send(
                new GetCommand({
                  TableName: this.tableName,
                  Key: { id: sessionId(id) },
                  ConsistentRead: true,
                }),
              ),
            )
          ).Item;
      return current?.current_hash === to;
    }
  }

  /** Whatever state the session is in, or none yet (its first token): revoked from now on. */
  async revoke(id: string, owner: { userId: string; username: string }, expiresAtSec: number): Promise<void> {
    await storageCall(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: sessionId(id) },
          UpdateExpression:
            'SET revoked_at = if_not_exists(revoked_at, :now), user_id = :user, username = :username, expires_at = :expires',
          ConditionExpression: 'attribute_not_exists(id) OR user_id = :user',
          ExpressionAttributeValues: {
            ':now': new Date().toISOString(),
            ':user': owner.userId,
            ':username': owner.username,
            ':expires': expiresAtSec,
          },
        }),
      ),
    ).catch((error: unknown) => {
      // A session of another user under this id cannot be: the id is random and sealed in the token.
      if (!isConditionFailure(error)) throw error;
    });
  }
}

function sessionOf(row: Row | undefined): Session | null {
  if (!row) return null;
  return {
    generation: typeof row.generation === 'number' ? row.generation : 0,
    currentHash: typeof row.current_hash === 'string' ? row.current_hash : '',
    revoked: typeof row.revoked_at === 'string',
  };
}

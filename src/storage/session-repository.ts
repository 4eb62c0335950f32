import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Credentials, Session, SessionRepository, SessionRotation } from '../domain/ports.js';
import { batchGetByIds } from './batch-get.js';
import { isStorableId, sessionId, type Row } from './records.js';
import { isConditionFailure, rowAtConditionFailure, storageCall } from './storage-errors.js';
import { credentialsOf } from './user-repository.js';

/** A revoked session outlives every refresh token that could name it (they live 30 days by default). */
const REVOKED_SESSION_KEPT_SECONDS = 366 * 86_400;

/**
 * How long after a rotation the token it replaced is taken for the same client racing itself
 * (two refreshes at once) rather than for a thief: refused, without revoking the session.
 */
export const ROTATION_GRACE_SECONDS = 10;

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
    if (!isStorableId(sessionId(id)) || !isStorableId(credentialsRef)) {
      return { session: null, credentials: null };
    }
    // Keys DynamoDB leaves unprocessed are asked for again, then fail as unavailable (503):
    // read as missing, a session would look replayed and be revoked.
    const [session, credentials] = await batchGetByIds(this.client, this.tableName, [
      sessionId(id),
      credentialsRef,
    ]);
    return { session: sessionOf(session ?? null), credentials: credentialsOf(credentials ?? null) };
  }

  async rotate(rotation: SessionRotation): Promise<boolean> {
    const { sessionId: id, owner, from, firstRotation, to, generation, expiresAtSec } = rotation;
    try {
      await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id: sessionId(id) },
            UpdateExpression:
              'SET current_hash = :to, previous_hash = :from, rotated_at = :now, generation = :generation, ' +
              'user_id = :user, username = :username, expires_at = :expires',
            ConditionExpression: firstRotation
              ? 'attribute_not_exists(id)'
              : 'current_hash = :from AND attribute_not_exists(revoked_at)',
            ExpressionAttributeValues: {
              ':to': to,
              // The token replaced, kept as previous_hash: presented again by a racing twin within
              // the grace period, it is refused without revoking (a sign-in's first token too).
              ':from': from,
              ':now': Math.floor(Date.now() / 1000),
              ':generation': generation,
              ':user': owner.userId,
              ':username': owner.username,
              ':expires': expiresAtSec,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The new token's hash is in place: our own first attempt landed, its answer was lost.
      const current = await rowAtConditionFailure(error, this.client, this.tableName, sessionId(id));
      return current?.current_hash === to;
    }
  }

  /**
   * Whatever state the session is in, or none yet (its first token): revoked from now on. A row
   * made here holds nothing of the user (its id is random): signing out after the account's
   * deletion brings nothing of the account back.
   */
  async revoke(id: string): Promise<void> {
    const expiresAtSec = Math.floor(Date.now() / 1000) + REVOKED_SESSION_KEPT_SECONDS;
    await storageCall(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: sessionId(id) },
          UpdateExpression:
            'SET revoked_at = if_not_exists(revoked_at, :now), expires_at = if_not_exists(expires_at, :expires)',
          ExpressionAttributeValues: { ':now': new Date().toISOString(), ':expires': expiresAtSec },
        }),
      ),
    );
  }
}

function sessionOf(row: Row | null): Session | null {
  if (!row) return null;
  const rotatedAt = typeof row.rotated_at === 'number' ? row.rotated_at : 0;
  return {
    generation: typeof row.generation === 'number' ? row.generation : 0,
    currentHash: typeof row.current_hash === 'string' ? row.current_hash : '',
    revoked: typeof row.revoked_at === 'string',
    justReplacedHash:
      typeof row.previous_hash === 'string' && Date.now() / 1000 - rotatedAt <= ROTATION_GRACE_SECONDS
        ? row.previous_hash
        : null,
  };
}

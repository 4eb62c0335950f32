import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type DataLoader from 'dataloader';
import type { User } from '../domain/entities.js';
import { ConflictError } from '../domain/errors.js';
import { usernameKey as keyOf } from '../domain/input-rules.js';
import type { Credentials, FailedAttempts, NewAccount, UserRepository } from '../domain/ports.js';
import { AccountRows } from './account-rows.js';
import {
  exactMarkerId,
  isStorableId,
  markerId,
  throttleId,
  type Row,
  type UsernameMarkerRecord,
  type UserRecord,
} from './records.js';
import { LEGACY_EPOCH } from './legacy.js';
import { isConditionFailure, rowAtConditionFailure, storageCall } from './storage-errors.js';

export const USERNAME_TAKEN = 'Username already registered';

/**
 * How long a claimed name waits for its user record. A registration interrupted between its
 * two writes leaves a marker without a user; after the lease another registration may take the
 * name over. It is far longer than one registration can take with the client's bounded retries.
 */
export const DEFAULT_REGISTRATION_LEASE_MS = 60_000;

export interface UserRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** This request's user loader (see `loaders.ts`). */
  readonly loader: DataLoader<string, User | null>;
  readonly registrationLeaseMs?: number;
  readonly now?: () => number;
}

/**
 * Users and their names in the users table. Uniqueness without transactions: the first write
 * is a conditional put of a marker keyed by the case-folded name, which doubles as the
 * credential record (login is one consistent read, profile reads never carry the hash); the
 * second write is the user record itself.
 */
export class DynamoUserRepository implements UserRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly loader: DataLoader<string, User | null>;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly accountRows: AccountRows;

  constructor(options: UserRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.loader = options.loader;
    this.leaseMs = options.registrationLeaseMs ?? DEFAULT_REGISTRATION_LEASE_MS;
    this.now = options.now ?? Date.now;
    this.accountRows = new AccountRows(this.client, this.tableName, this.now);
  }

  async create({ user, usernameKey, passwordHash }: NewAccount): Promise<string> {
    const startedAt = this.now();
    const marker: UsernameMarkerRecord = {
      id: markerId(usernameKey),
      user_id: user.id,
      display_username: user.username,
      password_hash: passwordHash,
      created_at: user.createdAt,
      claimed_at: startedAt,
    };
    await this.claimName(marker);
    // Past the lease, another registration may already have taken the name over.
    if (this.now() - startedAt >= this.leaseMs) throw new ConflictError(USERNAME_TAKEN);
    const record: UserRecord = { id: user.id, username: user.username, created_at: user.createdAt };
    try {
      await storageCall(() =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: record,
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        ),
      );
    } catch (error) {
      // The id is this registration's own random one: a record with it is our first attempt,
      // whose answer was lost (the SDK retried).
      if (!isConditionFailure(error) || (await this.getRow(user.id))?.username !== user.username) throw error;
    }
    this.loader.clear(user.id).prime(user.id, user);
    return marker.id;
  }

  /**
   * One consistent read of the name's marker. Old names that collide once case-folded keep
   * their credentials under their exact name: only for those, a second read.
   */
  async findCredentials(usernameKey: string, typedUsername: string): Promise<Credentials | null> {
    const marker = await this.getRow(markerId(usernameKey));
    if (marker?.collision !== true) return credentialsOf(marker);
    return credentialsOf(await this.getRow(exactMarkerId(typedUsername)));
  }

  /** A rehash at today's cost; skipped (false) when the hash changed meanwhile. */
  replacePasswordHash(credentials: Credentials, newHash: string): Promise<boolean> {
    return this.conditionalUpdate(credentials.ref, {
      UpdateExpression: 'SET password_hash = :new',
      ConditionExpression: 'password_hash = :old',
      ExpressionAttributeValues: { ':new': newHash, ':old': credentials.passwordHash },
    });
  }

  changePassword(credentials: Credentials, newHash: string): Promise<boolean> {
    return this.conditionalUpdate(credentials.ref, {
      UpdateExpression:
        'SET password_hash = :new, sessions_epoch = if_not_exists(sessions_epoch, :zero) + :one REMOVE legacy',
      ConditionExpression: 'password_hash = :old AND user_id = :user',
      ExpressionAttributeValues: {
        ':new': newHash,
        ':old': credentials.passwordHash,
        ':user': credentials.user.id,
        ':zero': 0,
        ':one': 1,
      },
      // A retry whose first attempt landed finds its own hash in place.
      landed: (current) => current?.password_hash === newHash,
    });
  }

  async endAllSessions(credentials: Credentials): Promise<void> {
    await this.conditionalUpdate(credentials.ref, {
      UpdateExpression: 'SET sessions_epoch = if_not_exists(sessions_epoch, :zero) + :one',
      ConditionExpression: 'user_id = :user',
      ExpressionAttributeValues: { ':user': credentials.user.id, ':zero': 0, ':one': 1 },
    });
  }

  async failedAttemptsOfUnknown(usernameKey: string): Promise<FailedAttempts> {
    return failuresOf(await this.getRow(throttleId(usernameKey)));
  }

  /**
   * One write in the common case: counting in the current window; when the window is a new
   * one, a second write starts it (failure path only). A known account's row must exist; a
   * name nobody holds gets a row of its own, removed by TTL when the window ends.
   */
  async recordFailedAttempt(
    target: Credentials | { usernameKey: string },
    window: number,
    expiresAtSec: number,
  ): Promise<void> {
    const known = 'ref' in target;
    const id = known ? target.ref : throttleId(target.usernameKey);
    if (!isStorableId(id)) return;
    const exists = known ? ' AND attribute_exists(id)' : '';
    const ttl = known ? '' : ', expires_at = :ttl';
    const values = { ':window': window, ':one': 1, ...(known ? {} : { ':ttl': expiresAtSec }) };
    for (let attempt = 0; attempt < 2; attempt++) {
      const counted = await this.conditionalUpdate(id, {
        UpdateExpression: `SET fail_count = fail_count + :one${ttl}`,
        ConditionExpression: `fail_window = :window${exists}`,
        ExpressionAttributeValues: values,
      });
      if (counted) return;
      const started = await this.conditionalUpdate(id, {
        UpdateExpression: `SET fail_window = :window, fail_count = :one${ttl}`,
        ConditionExpression: `(attribute_not_exists(fail_window) OR fail_window <> :window)${exists}`,
        ExpressionAttributeValues: values,
      });
      // Else another failure started this window a moment ago: count in it.
      if (started) return;
    }
  }

  async clearFailedAttempts(credentials: Credentials): Promise<void> {
    await this.conditionalUpdate(credentials.ref, {
      UpdateExpression: 'REMOVE fail_window, fail_count',
      ConditionExpression: 'attribute_exists(id)',
    });
  }

  getById(id: string): Promise<User | null> {
    return this.loader.load(id);
  }

  async findCredentialsOf(user: User): Promise<Credentials | null> {
    const credentials = await this.findCredentials(keyOf(user.username), user.username);
    return credentials?.user.id === user.id ? credentials : null;
  }

  async credentialsAt(ref: string): Promise<Credentials | null> {
    return credentialsOf(await this.getRow(ref));
  }

  startDeletion(user: User, credentials: Credentials): Promise<void> {
    return this.accountRows.startDeletion(user, credentials);
  }

  finishDeletion(user: { id: string; username: string | null }, credentialsRef: string): Promise<void> {
    this.loader.clear(user.id);
    return this.accountRows.finishDeletion(user, credentialsRef);
  }

  deletionState(userId: string) {
    return this.accountRows.deletionState(userId);
  }

  private async claimName(marker: UsernameMarkerRecord): Promise<void> {
    try {
      await this.putMarker(marker, 'attribute_not_exists(id)');
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Taken, unless by this very registration (its first attempt's answer was lost: the user
    // id is this registration's own random one), or the leftover of one that never wrote its user.
    const existing = await this.getRow(marker.id);
    if (existing?.user_id === marker.user_id) return;
    if (existing && !(await this.isAbandoned(existing))) throw new ConflictError(USERNAME_TAKEN);
    try {
      await this.putMarker(
        marker,
        existing ? 'user_id = :previous' : 'attribute_not_exists(id)',
        existing ? { ':previous': existing.user_id } : undefined,
      );
    } catch (error) {
      // Someone else took it over (or claimed it) first, unless the winner is our own retry.
      if (isConditionFailure(error)) {
        if ((await this.getRow(marker.id))?.user_id === marker.user_id) return;
        throw new ConflictError(USERNAME_TAKEN);
      }
      throw error;
    }
  }

  private async isAbandoned(marker: Row): Promise<boolean> {
    // Reservations of colliding old names, and rows not shaped as a claim, are never taken over.
    if (typeof marker.user_id !== 'string' || typeof marker.claimed_at !== 'number') return false;
    if (this.now() - marker.claimed_at < this.leaseMs) return false;
    const user = await storageCall(() =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { id: marker.user_id }, ConsistentRead: true }),
      ),
    );
    return user.Item === undefined;
  }

  private putMarker(
    marker: UsernameMarkerRecord,
    condition: string,
    values?: Record<string, unknown>,
  ): Promise<unknown> {
    return storageCall(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: marker,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * One conditional UpdateItem; false when the condition fails, unless `landed` recognises in
   * the row the failure returns that this very write landed before (its answer lost).
   */
  private async conditionalUpdate(
    id: string,
    update: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeValues?: Record<string, unknown>;
      landed?: (current: Row | undefined) => boolean;
    },
  ): Promise<boolean> {
    const { landed, ...expression } = update;
    try {
      await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id },
            ...expression,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (!landed) return false;
      const current = isStorableId(id)
        ? await rowAtConditionFailure(error, this.client, this.tableName, id)
        : null;
      return landed(current ?? undefined);
    }
  }

  private async getRow(id: string): Promise<Row | null> {
    if (!isStorableId(id)) return null;
    const output = await storageCall(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true })),
    );
    return output.Item ?? null;
  }
}

/** The credentials a marker holds, or null for anything else (a reservation, a malformed row). */
export function credentialsOf(marker: Row | null): Credentials | null {
  if (!marker) return null;
  const { id, user_id, display_username, password_hash, created_at, legacy } = marker;
  if (
    typeof id !== 'string' ||
    typeof user_id !== 'string' ||
    typeof display_username !== 'string' ||
    typeof password_hash !== 'string'
  ) {
    return null;
  }
  const number = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);
  return {
    user: {
      id: user_id,
      username: display_username,
      createdAt: typeof created_at === 'string' ? created_at : LEGACY_EPOCH,
    },
    passwordHash: password_hash,
    legacy: legacy === true,
    ref: id,
    sessionsEpoch: number(marker.sessions_epoch, 0),
    deleting: typeof marker.deleting_at === 'string',
    failures: failuresOf(marker),
  };
}

function failuresOf(row: Row | null): FailedAttempts {
  return typeof row?.fail_window === 'number' && typeof row.fail_count === 'number'
    ? { window: row.fail_window, count: row.fail_count }
    : NO_FAILURES;
}

const NO_FAILURES: FailedAttempts = { window: -1, count: 0 };

import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type DataLoader from 'dataloader';
import type { User } from '../domain/entities.js';
import { ConflictError } from '../domain/errors.js';
import type { Credentials, NewAccount, UserRepository } from '../domain/ports.js';
import {
  exactMarkerId,
  isStorableId,
  markerId,
  type Row,
  type UsernameMarkerRecord,
  type UserRecord,
} from './records.js';
import { LEGACY_EPOCH } from './legacy.js';
import { isConditionFailure, storageCall } from './storage-errors.js';

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

  constructor(options: UserRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.loader = options.loader;
    this.leaseMs = options.registrationLeaseMs ?? DEFAULT_REGISTRATION_LEASE_MS;
    this.now = options.now ?? Date.now;
  }

  async create({ user, usernameKey, passwordHash }: NewAccount): Promise<void> {
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
      if (!isConditionFailure(error) || (await this.getMarker(user.id))?.username !== user.username)
        throw error;
    }
    this.loader.clear(user.id).prime(user.id, user);
  }

  /**
   * One consistent read of the name's marker. Old names that collide once case-folded keep
   * their credentials under their exact name: only for those, a second read.
   */
  async findCredentials(usernameKey: string, typedUsername: string): Promise<Credentials | null> {
    const marker = await this.getMarker(markerId(usernameKey));
    if (marker?.collision !== true) return credentialsOf(marker);
    return credentialsOf(await this.getMarker(exactMarkerId(typedUsername)));
  }

  /** A rehash at today's cost; skipped (false) when the hash changed meanwhile. */
  async replacePasswordHash(credentials: Credentials, newHash: string): Promise<boolean> {
    try {
      await storageCall(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id: credentials.ref },
            UpdateExpression: 'SET password_hash = :new',
            ConditionExpression: 'password_hash = :old',
            ExpressionAttributeValues: { ':new': newHash, ':old': credentials.passwordHash },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  getById(id: string): Promise<User | null> {
    return this.loader.load(id);
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
    const existing = await this.getMarker(marker.id);
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
        if ((await this.getMarker(marker.id))?.user_id === marker.user_id) return;
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

  private async getMarker(id: string): Promise<Row | null> {
    if (!isStorableId(id)) return null;
    const output = await storageCall(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true })),
    );
    return output.Item ?? null;
  }
}

/** The credentials a marker holds, or null for anything else (a reservation, a malformed row). */
function credentialsOf(marker: Row | null): Credentials | null {
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
  return {
    user: {
      id: user_id,
      username: display_username,
      createdAt: typeof created_at === 'string' ? created_at : LEGACY_EPOCH,
    },
    passwordHash: password_hash,
    legacy: legacy === true,
    ref: id,
  };
}

import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type DataLoader from 'dataloader';
import type { User } from '../domain/entities.js';
import { ConflictError } from '../domain/errors.js';
import type { Credentials, NewAccount, UserRepository } from '../domain/ports.js';
import {
  isStorableId,
  markerId,
  USERNAME_MARKER_PREFIX,
  type UsernameMarkerRecord,
  type UserRecord,
} from './records.js';
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
    await storageCall(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    );
    this.loader.clear(user.id).prime(user.id, user);
  }

  async findCredentials(usernameKey: string): Promise<Credentials | null> {
    const marker = await this.getMarker(markerId(usernameKey));
    if (!marker) return null;
    return {
      user: { id: marker.user_id, username: marker.display_username, createdAt: marker.created_at },
      passwordHash: marker.password_hash,
    };
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
    // Taken, unless it is the leftover of a registration that never wrote its user.
    const existing = await this.getMarker(marker.id);
    if (existing && !(await this.isAbandoned(existing))) throw new ConflictError(USERNAME_TAKEN);
    try {
      await this.putMarker(
        marker,
        existing ? 'user_id = :previous' : 'attribute_not_exists(id)',
        existing ? { ':previous': existing.user_id } : undefined,
      );
    } catch (error) {
      // Someone else took it over (or claimed it) first.
      if (isConditionFailure(error)) throw new ConflictError(USERNAME_TAKEN);
      throw error;
    }
  }

  private async isAbandoned(marker: UsernameMarkerRecord): Promise<boolean> {
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

  private async getMarker(id: string): Promise<UsernameMarkerRecord | null> {
    if (!isStorableId(id)) return null;
    const output = await storageCall(() =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true })),
    );
    return (output.Item as UsernameMarkerRecord | undefined) ?? null;
  }
}

/** The user loader's batch function must never hand out a marker as a user. */
export function isUserId(id: string): boolean {
  return isStorableId(id) && !id.startsWith(USERNAME_MARKER_PREFIX);
}

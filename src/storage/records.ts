import type { Item, User } from '../domain/entities.js';

/**
 * The stored shapes, snake_case as the original service stored them, and their mapping to
 * domain entities. A row is only trusted as far as these functions check it.
 */
export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly created_at: string;
}

/** The credential record: keyed by the case-folded username, so the key itself is the lock. */
export interface UsernameMarkerRecord {
  readonly id: string;
  readonly user_id: string;
  /** The name as registered (display form); the attribute is not `username`, to stay out of that index. */
  readonly display_username: string;
  readonly password_hash: string;
  /** The user's `created_at`. */
  readonly created_at: string;
  /** Epoch milliseconds when the name was claimed: the registration lease runs from here. */
  readonly claimed_at: number;
}

export interface ItemRecord {
  readonly id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly description: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly version: number;
}

export const USERNAME_MARKER_PREFIX = 'username#';

export function markerId(usernameKey: string): string {
  return `${USERNAME_MARKER_PREFIX}${usernameKey}`;
}

/** DynamoDB refuses empty keys and keys over 2048 bytes: such an id can name nothing. */
export function isStorableId(id: string): boolean {
  return id.length > 0 && Buffer.byteLength(id, 'utf8') <= 1024;
}

export function toUser(row: Record<string, unknown>): User {
  const r = row as unknown as UserRecord;
  return { id: r.id, username: r.username, createdAt: r.created_at };
}

export function toItem(row: Record<string, unknown>): Item {
  const r = row as unknown as ItemRecord;
  return {
    id: r.id,
    ownerId: r.owner_id,
    name: r.name,
    // Rows written by the old service may lack a description.
    description: r.description ?? '',
    createdAt: r.created_at,
    updatedAt: r.updated_at ?? r.created_at,
    version: typeof r.version === 'number' ? r.version : 1,
  };
}

export function toItemRecord(item: Item): ItemRecord {
  return {
    id: item.id,
    owner_id: item.ownerId,
    name: item.name,
    description: item.description,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    version: item.version,
  };
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Item, User } from '../domain/entities.js';
import { LEGACY_EPOCH, legacyCreatedAt } from './legacy.js';

/**
 * The stored shapes, snake_case as the original service stored them, and their mapping to
 * domain entities. Rows come from a table that other writers share (the old service, the
 * migration, someone in the console), so a row is checked field by field before it becomes
 * an entity: what is missing but derivable is derived (see legacy.ts), what cannot be made
 * valid is refused with the reason, for the caller to log and skip.
 */
export type Row = Record<string, unknown>;

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
  /**
   * Copied from the old service by `npm run migrate`: its name and password follow the old
   * rules (any 3–50 characters; passwords bcrypt truncated to 72 bytes, as passlib did).
   */
  readonly legacy?: boolean;
  /** Bumped by "sign out everywhere" and a password change: older refresh tokens are dead. */
  readonly sessions_epoch?: number;
  /** Set when the account's deletion starts: no sign-in from then on. */
  readonly deleting_at?: string;
  /** Failed password checks in window `fail_window` (see domain/sign-in-throttle.ts). */
  readonly fail_window?: number;
  readonly fail_count?: number;
}

/**
 * A sign-in session: the chain of refresh tokens rotated from one sign-in. Only the hash of
 * the one token that still works is kept. `username` puts the row in the users table's
 * `username-index` beside its user record, which is how an account deletion finds every row
 * of the account.
 */
export interface SessionRecord {
  readonly id: string;
  readonly user_id: string;
  readonly username: string;
  readonly current_hash?: string;
  readonly generation?: number;
  readonly revoked_at?: string;
  /** Epoch seconds (TTL): when its newest token expires. */
  readonly expires_at: number;
}

/**
 * Old names that differ only in case (`Bob`, `bob`) were separate accounts. Their shared
 * folded key holds this reservation instead of credentials, so nobody can register the name,
 * and each account keeps its credentials under its exact name (`exactMarkerId`).
 */
export interface CollisionReservationRecord {
  readonly id: string;
  readonly collision: true;
  /** The exact old names sharing the key. */
  readonly names: readonly string[];
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
  /** Random per write call, the same across the SDK's retries: a retry recognises its own write. */
  readonly write_token?: string;
  /** Of a create with an Idempotency-Key: the digest of its input, to tell a repeat from a reuse. */
  readonly request_digest?: string;
  /** Of a row copied by `npm run migrate`: the digest of the old row it was copied from. */
  readonly legacy_digest?: string;
}

/**
 * What a deleted item leaves behind: nothing of the user (no owner, no content, out of the
 * owner index), only what lets a retried delete recognise itself and keeps `npm run migrate`
 * from copying the item again. DynamoDB's TTL removes it after `expires_at`.
 */
export interface ItemTombstoneRecord {
  readonly id: string;
  readonly deleted_at: string;
  /** Epoch seconds (the TTL attribute of every table). */
  readonly expires_at: number;
  readonly write_token: string;
}

export const USERNAME_MARKER_PREFIX = 'username#';

export function sessionId(id: string): string {
  return `session#${id}`;
}

/** Failed checks of a name nobody holds (known names count theirs on their credentials). */
export function throttleId(usernameKey: string): string {
  return `throttle#${usernameKey}`;
}

/**
 * The row left where an account was deleted: keyed by a digest of its id and holding nothing
 * of the user once the deletion is done, it lets a repeated deletion answer as the first did,
 * and keeps `npm run migrate` from bringing the account back.
 */
export function deletionReceiptId(userId: string): string {
  return `deleted-user#${createHash('sha256').update(userId, 'utf8').digest('hex')}`;
}

export function markerId(usernameKey: string): string {
  return `${USERNAME_MARKER_PREFIX}${usernameKey}`;
}

/** Where a colliding old account's credentials live: its exact name, not the folded one. */
export function exactMarkerId(exactUsername: string): string {
  return `${USERNAME_MARKER_PREFIX}=${exactUsername}`;
}

/** DynamoDB refuses empty keys and keys over 2048 bytes: such an id can name nothing. */
export function isStorableId(id: string): boolean {
  return id.length > 0 && Buffer.byteLength(id, 'utf8') <= 1024;
}

/** Users, markers, tokens and receipts share the users table; only user records have ids without `#`. */
export function isUserId(id: string): boolean {
  return isStorableId(id) && !id.includes('#');
}

/** An item, a deleted item's tombstone, or a row that cannot be made an item (and why). */
export type ItemRow =
  | { readonly kind: 'item'; readonly item: Item }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'invalid'; readonly problem: string };

export type UserRow =
  { readonly kind: 'user'; readonly user: User } | { readonly kind: 'invalid'; readonly problem: string };

const isoDateTime = z.iso.datetime({ offset: true });

const isText = (value: unknown): value is string => typeof value === 'string';
const isDateTime = (value: unknown): value is string => isText(value) && isoDateTime.safeParse(value).success;

export function readItemRow(row: Row): ItemRow {
  if (row.deleted_at !== undefined) return { kind: 'deleted' };
  const { id, owner_id, name, description, created_at, updated_at, version } = row;
  if (!isText(id)) return invalid('id is not a string');
  if (!isText(owner_id) || owner_id === '') return invalid('owner_id is missing or not a string');
  if (!isText(name)) return invalid('name is missing or not a string');
  if (description !== undefined && description !== null && !isText(description)) {
    return invalid('description is not a string');
  }
  if (created_at !== undefined && !isDateTime(created_at)) return invalid('created_at is not a date-time');
  if (updated_at !== undefined && !isDateTime(updated_at)) return invalid('updated_at is not a date-time');
  if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 1)) {
    return invalid('version is not a positive integer');
  }
  // Rows the old service wrote lack the newer fields: derived exactly as the migration writes them.
  const createdAt = created_at ?? legacyCreatedAt(id);
  return {
    kind: 'item',
    item: {
      id,
      ownerId: owner_id,
      name,
      description: description ?? '',
      createdAt,
      updatedAt: updated_at ?? createdAt,
      version: (version as number | undefined) ?? 1,
    },
  };
}

export function readUserRow(row: Row): UserRow {
  const { id, username, created_at } = row;
  if (!isText(id)) return invalid('id is not a string');
  if (!isText(username)) return invalid('username is missing or not a string');
  if (created_at !== undefined && !isDateTime(created_at)) return invalid('created_at is not a date-time');
  return { kind: 'user', user: { id, username, createdAt: created_at ?? LEGACY_EPOCH } };
}

export function toItemRecord(
  item: Item,
  extra: Pick<ItemRecord, 'write_token' | 'request_digest'> = {},
): ItemRecord {
  return {
    id: item.id,
    owner_id: item.ownerId,
    name: item.name,
    description: item.description,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    version: item.version,
    ...extra,
  };
}

function invalid(problem: string): { kind: 'invalid'; problem: string } {
  return { kind: 'invalid', problem };
}

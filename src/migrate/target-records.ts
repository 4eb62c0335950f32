import { createHash } from 'node:crypto';
import { usernameKey } from '../domain/input-rules.js';
import { LEGACY_EPOCH, legacyCreatedAt } from '../storage/legacy.js';
import {
  exactMarkerId,
  markerId,
  type CollisionReservationRecord,
  type ItemRecord,
  type UsernameMarkerRecord,
  type UserRecord,
} from '../storage/records.js';
import type { LegacyItem, LegacyUser } from './legacy-rows.js';

/**
 * What the migration writes: every value is a function of the old row alone (no clock, no
 * randomness), so an interrupted run resumed, and an uninterrupted run, write the same bytes.
 */

export function userRecordOf(user: LegacyUser): UserRecord {
  return { id: user.id, username: user.username, created_at: LEGACY_EPOCH };
}

/** Where a name's credentials live: under its case-folded form (`markerId`). */
export function foldedMarkerId(username: string): string {
  return markerId(usernameKey(username));
}

/**
 * The credentials of an old account. `claimed_at: 0` is a claim whose registration lease ran
 * out long ago: it stands because its user record exists (written first), never because of it.
 */
export function legacyMarkerOf(user: LegacyUser, id = foldedMarkerId(user.username)): UsernameMarkerRecord {
  return {
    id,
    user_id: user.id,
    display_username: user.username,
    password_hash: user.hashedPassword,
    created_at: LEGACY_EPOCH,
    claimed_at: 0,
    legacy: true,
  };
}

/** A colliding account's credentials, under its exact name. */
export function exactLegacyMarkerOf(user: LegacyUser): UsernameMarkerRecord {
  return legacyMarkerOf(user, exactMarkerId(user.username));
}

/** The names sort by code point, so the reservation is the same whichever name came first. */
export function reservationOf(id: string, names: readonly string[]): CollisionReservationRecord {
  return { id, collision: true, names: [...new Set(names)].sort(), claimed_at: 0 };
}

/**
 * The digest of the old row a copy came from. A later run compares it with the old row's
 * current digest: equal means nothing to do; different (and the copy untouched here since,
 * still version 1) means the old service edited the row and the copy follows.
 */
export function legacyDigest(item: LegacyItem): string {
  return createHash('sha256')
    .update(JSON.stringify([item.ownerId, item.name, item.description]), 'utf8')
    .digest('hex');
}

/** Dated from its id (see `legacy.ts`): the same date the service derives for an uncopied old row. */
export function itemRecordOf(item: LegacyItem): ItemRecord {
  const createdAt = legacyCreatedAt(item.id);
  return {
    id: item.id,
    owner_id: item.ownerId,
    name: item.name,
    description: item.description,
    created_at: createdAt,
    updated_at: createdAt,
    version: 1,
    legacy_digest: legacyDigest(item),
  };
}

export { deletionReceiptId } from '../storage/records.js';

import { ITEM_ID_PATTERN, usernameKey } from '../domain/input-rules.js';
import { exactMarkerId, isStorableId, isUserId, markerId, type Row } from '../storage/records.js';

/**
 * The old service's rows, checked before anything is copied. Its rules were loose (any 3–50
 * characters for a name, any description), so only what would make a copy unusable or a key
 * impossible is refused; a name today's registration would refuse is copied as it is.
 */
export interface LegacyUser {
  readonly id: string;
  readonly username: string;
  readonly hashedPassword: string;
}

export interface LegacyItem {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly description: string;
}

export type Checked<T> =
  { readonly ok: true; readonly row: T } | { readonly ok: false; readonly reason: string };

/** passlib's bcrypt: `$2b$` (also `$2a$`/`$2y$`), a two-digit cost, 22 characters of salt and 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export function checkLegacyUser(row: Row): Checked<LegacyUser> {
  const { id, username, hashed_password } = row;
  if (typeof id !== 'string' || !isUserId(id)) return refused('id is not a user id (a string without "#")');
  if (typeof username !== 'string' || username.length === 0) return refused('username is missing or empty');
  // Its credentials are keyed by the name: a name too long for a key can hold none.
  if (!isStorableId(markerId(usernameKey(username))) || !isStorableId(exactMarkerId(username))) {
    return refused('username is too long to be a key');
  }
  if (typeof hashed_password !== 'string' || !BCRYPT_HASH.test(hashed_password)) {
    return refused('hashed_password is not a bcrypt hash');
  }
  return { ok: true, row: { id, username, hashedPassword: hashed_password } };
}

export function checkLegacyItem(row: Row): Checked<LegacyItem> {
  const { id, owner_id, name, description } = row;
  if (typeof id !== 'string') return refused('id is not a string');
  if (!ITEM_ID_PATTERN.test(id))
    return refused('id is not 1–128 letters, digits, "-" or "_" (the API could not address it)');
  if (typeof owner_id !== 'string' || !isUserId(owner_id)) return refused('owner_id is not a user id');
  if (typeof name !== 'string') return refused('name is missing or not a string');
  if (description !== undefined && description !== null && typeof description !== 'string') {
    return refused('description is not a string');
  }
  return { ok: true, row: { id, ownerId: owner_id, name, description: description ?? '' } };
}

/** The id of a refused row, for the report: what there is of it. */
export function rowId(row: Row): string | null {
  return typeof row.id === 'string' ? row.id : null;
}

function refused(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

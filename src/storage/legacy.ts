import { createHash } from 'node:crypto';

/**
 * The old FastAPI service stored items as `{id, owner_id, name, description}` and users as
 * `{id, username, hashed_password}`: no timestamps. Rows without a `created_at` are dated
 * here, deterministically, so that a row read before `npm run migrate` copied it, the copy,
 * and a copy made by an interrupted-then-resumed run all carry the same instant.
 *
 * The creation time of an old row is unknown, so it is dated in the first weeks of the Unix
 * epoch: older than anything this service creates (old items list after new ones, newest
 * first), in an order fixed by the row's id (the first 32 bits of its SHA-256, in
 * milliseconds: distinct for practically every pair of ids, never a tie in the listing).
 */
export const LEGACY_EPOCH = '1970-01-01T00:00:00.000Z';

export function legacyCreatedAt(id: string): string {
  const offsetMs = createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0);
  return new Date(offsetMs).toISOString();
}

import { usernameKey } from '../domain/input-rules.js';
import { exactMarkerId, type Row } from '../storage/records.js';
import { absent, absentOrHeldBy, reservationOfSize, sameCredentials } from './conditions.js';
import { KeyedLock } from './concurrency.js';
import type { LegacyUser } from './legacy-rows.js';
import type { MigrationReport } from './report.js';
import type { KeyedRow, Target } from './target.js';
import { exactLegacyMarkerOf, foldedMarkerId, legacyMarkerOf, reservationOf } from './target-records.js';

export type CredentialsOutcome =
  { readonly kind: 'written' | 'unchanged' } | { readonly kind: 'refused'; readonly reason: string };

/** Conditional writes that lost to a concurrent change are redone from a fresh read, this often. */
const MAX_ATTEMPTS = 5;

interface Attempt {
  wrote: boolean;
}

/**
 * Gives an old account its login: the credential marker under its case-folded name, written
 * only if nobody holds that name. Old names equal once folded (`Bob`, `bob`) were separate
 * accounts: when the second one arrives, each gets its marker under its exact name and the
 * folded key becomes a reservation listing them, so both keep logging in (exact spelling only)
 * and nobody can register the name. A name held by an account of the new service stays that
 * account's: the old account is copied without a login, and reported.
 *
 * Every write is conditional on what was read; a lost race is redone from a fresh read.
 */
export class CredentialsWriter {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly target: Target,
    private readonly report: MigrationReport,
  ) {}

  /** `folded`: the folded marker as a batch read found it (it may be stale; conditions tell). */
  place(user: LegacyUser, folded: Row | null): Promise<CredentialsOutcome> {
    const key = foldedMarkerId(user.username);
    return this.lock.run(key, async () => {
      const attempt: Attempt = { wrote: false };
      let current = folded;
      for (let n = 1; n <= MAX_ATTEMPTS; n++) {
        if (n > 1) current = await this.target.get('users', key);
        const settled = await this.step(user, key, current, attempt);
        if (settled === 'retry') continue;
        return settled ?? { kind: attempt.wrote ? 'written' : 'unchanged' };
      }
      return refusal(`its name kept changing in the new table during ${MAX_ATTEMPTS} attempts; run again`);
    });
  }

  /** Undefined when done, a refusal, or 'retry' when a condition failed. */
  private async step(
    user: LegacyUser,
    key: string,
    current: Row | null,
    attempt: Attempt,
  ): Promise<CredentialsOutcome | 'retry' | undefined> {
    if (current === null) return this.write(legacyMarkerOf(user), absent, attempt);
    if (current.user_id === user.id) return undefined;
    if (current.collision === true) return this.joinReservation(user, key, current, attempt);
    if (isLegacyMarker(current)) return this.separate(user, key, current, attempt);
    return refusal(`copied without a login: the name is taken in the new service`);
  }

  /** The folded key holds another old account's credentials: both move to their exact names. */
  private async separate(
    user: LegacyUser,
    key: string,
    holder: LegacyMarker,
    attempt: Attempt,
  ): Promise<CredentialsOutcome | 'retry' | undefined> {
    if (holder.display_username === user.username) {
      return refusal(`copied without a login: old account ${holder.user_id} has exactly the same name`);
    }
    // The holder's credentials as they are now (a login may have re-hashed them). Its exact
    // marker is not read by logins until the reservation below exists, so a copy left by an
    // earlier attempt may be replaced.
    const holderCopy = { ...holder, id: exactMarkerId(holder.display_username) };
    if (!(await this.target.put('users', holderCopy, absentOrHeldBy(holder.user_id)))) {
      return refusal(
        `copied without a login: the exact name of ${holder.display_username} is held by another account`,
      );
    }
    attempt.wrote = true;
    const exact = await this.ensureExactMarker(user, attempt);
    if (exact !== undefined) return exact;
    const reservation = reservationOf(key, [holder.display_username, user.username]);
    const done = await this.write(
      reservation,
      sameCredentials(holder.user_id, holder.password_hash),
      attempt,
    );
    if (done === undefined) this.report.collision(usernameKey(user.username), reservation.names);
    return done;
  }

  /** The folded key is already a reservation: this name gets its exact marker and joins the list. */
  private async joinReservation(
    user: LegacyUser,
    key: string,
    current: Row,
    attempt: Attempt,
  ): Promise<CredentialsOutcome | 'retry' | undefined> {
    const names = Array.isArray(current.names) ? current.names.filter((n) => typeof n === 'string') : [];
    // A listed name got its exact marker before it was listed: nothing to do.
    if (names.includes(user.username)) {
      this.report.collision(usernameKey(user.username), names);
      return undefined;
    }
    const exact = await this.ensureExactMarker(user, attempt);
    if (exact !== undefined) return exact;
    const reservation = reservationOf(key, [...names, user.username]);
    const done = await this.write(reservation, reservationOfSize(names.length), attempt);
    if (done === undefined) this.report.collision(usernameKey(user.username), reservation.names);
    return done;
  }

  /** This account's marker under its exact name; never replaces one (logins may have changed it). */
  private async ensureExactMarker(
    user: LegacyUser,
    attempt: Attempt,
  ): Promise<CredentialsOutcome | 'retry' | undefined> {
    if ((await this.write(exactLegacyMarkerOf(user), absent, attempt)) === undefined) return undefined;
    const existing = await this.target.get('users', exactMarkerId(user.username));
    if (existing === null) return 'retry';
    if (existing.user_id === user.id) return undefined;
    return refusal(
      `copied without a login: old account ${String(existing.user_id)} has exactly the same name`,
    );
  }

  private async write(
    row: KeyedRow,
    condition: Parameters<Target['put']>[2],
    attempt: Attempt,
  ): Promise<'retry' | undefined> {
    if (!(await this.target.put('users', row, condition))) return 'retry';
    attempt.wrote = true;
    return undefined;
  }
}

interface LegacyMarker extends Row {
  readonly user_id: string;
  readonly display_username: string;
  readonly password_hash: string;
}

function isLegacyMarker(row: Row): row is LegacyMarker {
  return (
    row.legacy === true &&
    typeof row.user_id === 'string' &&
    typeof row.display_username === 'string' &&
    typeof row.password_hash === 'string'
  );
}

function refusal(reason: string): CredentialsOutcome {
  return { kind: 'refused', reason };
}

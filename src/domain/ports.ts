import type { Item, Page, TokenPair, User } from './entities.js';

/**
 * What the domain needs from the outside world; `src/storage` and `src/auth` implement it.
 * Repositories are built per request, so their reads by id go through that request's loaders.
 */

/** What login needs, in one strongly consistent read. */
export interface Credentials {
  readonly user: User;
  readonly passwordHash: string;
  /**
   * Copied from the old service: its password may be longer than 72 bytes, of which bcrypt
   * (passlib) used the first 72; it must still log in.
   */
  readonly legacy: boolean;
  /** Where the credentials are stored (opaque to the domain): the account's sign-in state is there too. */
  readonly ref: string;
  /** Bumped by "sign out everywhere" and a password change: refresh tokens of an older epoch are dead. */
  readonly sessionsEpoch: number;
  /** The account is being deleted: it can no longer sign in or refresh. */
  readonly deleting: boolean;
  /** Failed password checks in the current window (see sign-in-throttle.ts). */
  readonly failures: FailedAttempts;
}

/** Failed password checks for one name in one fixed window of time. */
export interface FailedAttempts {
  /** The window's number (epoch time divided by the window's length). */
  readonly window: number;
  readonly count: number;
}

export interface NewAccount {
  readonly user: User;
  /** The case-insensitive identity of `user.username` (see `usernameKey`). */
  readonly usernameKey: string;
  readonly passwordHash: string;
}

export interface UserRepository {
  /** Claims the name, then writes the user; `ConflictError` when the name is taken. The credentials' ref. */
  create(account: NewAccount): Promise<string>;
  /** By the name's case-insensitive key; `typedUsername` tells apart old names that collide once folded. */
  findCredentials(usernameKey: string, typedUsername: string): Promise<Credentials | null>;
  /** Replaces the hash if it is still `credentials.passwordHash`; false when it changed meanwhile. */
  replacePasswordHash(credentials: Credentials, newHash: string): Promise<boolean>;
  /**
   * A new password (the old rules' `legacy` leniency ends) and a new sessions epoch, in one
   * write, if the hash is still the one checked; false when it changed meanwhile.
   */
  changePassword(credentials: Credentials, newHash: string): Promise<boolean>;
  /** A new sessions epoch: every refresh token issued before is dead. */
  endAllSessions(credentials: Credentials): Promise<void>;
  /** The failed checks of a name nobody holds (known names keep theirs in `Credentials.failures`). */
  failedAttemptsOfUnknown(usernameKey: string): Promise<FailedAttempts>;
  /** Counts one failed check in `window`, for a known account or a name nobody holds. */
  recordFailedAttempt(
    target: Credentials | { usernameKey: string },
    window: number,
    expiresAtSec: number,
  ): Promise<void>;
  /** Forgets the failed checks of an account that has just proved its password. */
  clearFailedAttempts(credentials: Credentials): Promise<void>;
  /** Batched with every other user load of this request. */
  getById(id: string): Promise<User | null>;
  /** The credentials of a user, through their name (the user record, then the credentials). */
  findCredentialsOf(user: User): Promise<Credentials | null>;
  /**
   * Account deletion, in an order that a retry resumes: `startDeletion` (no sign-in from then
   * on; a receipt remembers what is left), the items (ItemRepository.deleteAllOf), then
   * `finishDeletion` (sign-in sessions, the user record, the credentials last: only then is the
   * name free; the receipt keeps nothing of the user).
   */
  startDeletion(user: User, credentials: Credentials): Promise<void>;
  /** `username` null: the user record is gone already (its sessions went before it). */
  finishDeletion(user: { id: string; username: string | null }, credentialsRef: string): Promise<void>;
  /** For a user record already gone: what deletion has left to do (`pending`), done, or nothing known. */
  deletionState(
    userId: string,
  ): Promise<{ readonly done: boolean; readonly pendingCredentialsRef?: string } | null>;
  /** The credentials at `ref` (a deletion resuming without the user record). */
  credentialsAt(ref: string): Promise<Credentials | null>;
}

/** A sign-in session: the chain of refresh tokens rotated from one sign-in (its "family"). */
export interface Session {
  readonly generation: number;
  /** The hash of the one refresh token of this session that still works. */
  readonly currentHash: string;
  readonly revoked: boolean;
  /**
   * The token the last rotation replaced, for a few seconds after it (see
   * ROTATION_GRACE_SECONDS): presented then, it is the same client racing itself, not a thief.
   */
  readonly justReplacedHash: string | null;
}

export interface SessionRepository {
  /** The session and the credentials its tokens depend on, in one read. */
  load(
    sessionId: string,
    credentialsRef: string,
  ): Promise<{ session: Session | null; credentials: Credentials | null }>;
  /**
   * Replaces the session's current token (`from`, the presented token's hash; for the sign-in's
   * first token, never stored, `firstRotation` creates the row), if it is still current and the
   * session not revoked: exactly one of two concurrent rotations wins. False when another won.
   */
  rotate(rotation: SessionRotation): Promise<boolean>;
  revoke(sessionId: string): Promise<void>;
}

export interface SessionRotation {
  readonly sessionId: string;
  readonly owner: { readonly userId: string; readonly username: string };
  /** Hash of the presented token, which the rotation replaces. */
  readonly from: string;
  /** The sign-in's first token is never stored: its rotation creates the row. */
  readonly firstRotation: boolean;
  readonly to: string;
  readonly generation: number;
  readonly expiresAtSec: number;
}

export interface ItemPatch {
  readonly name?: string;
  readonly description?: string;
}

export interface ItemCreateOptions {
  readonly idempotent?: boolean;
}

export interface ItemWriteGuard {
  readonly id: string;
  readonly ownerId: string;
  /** When set, the write happens only if the stored version still equals it. */
  readonly expectedVersion?: number | undefined;
}

export interface ItemRepository {
  /** Batched with every other item load of this request; null when missing. */
  getById(id: string): Promise<Item | null>;
  getManyById(ids: readonly string[]): Promise<(Item | null)[]>;
  /**
   * A conditional put of a new item; the item as stored. `idempotent`: its id was derived from
   * the client's key, so a repeat meets the first one: the same input answers the stored item,
   * another input is a `ValidationError` at `idempotencyKey`.
   */
  create(item: Item, options?: ItemCreateOptions): Promise<Item>;
  /**
   * One conditional write that checks existence, owner and version itself and bumps
   * `version` and `updatedAt`. `NotFoundError` when missing or another owner's,
   * `PreconditionFailedError` when the version is stale.
   */
  update(guard: ItemWriteGuard, patch: ItemPatch, updatedAt: string): Promise<Item>;
  /** Same conditions and errors as `update`. */
  delete(guard: ItemWriteGuard): Promise<void>;
  /** Deletes every item of an owner (account deletion), however many; resumable. */
  deleteAllOf(ownerId: string): Promise<number>;
  /** Newest first. A cursor not issued for this owner is a `ValidationError`. */
  listByOwner(ownerId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<Item>>;
  /** The cursor `listByOwner` would return for a page ending with `item`. */
  cursorAfter(item: Item): string;
}

export interface PasswordHasher {
  /** `RangeError` for a password it would truncate (over 72 bytes). */
  hash(password: string): Promise<string>;
  /**
   * With no hash (unknown user) it does the same work as a real comparison, and answers false.
   * A password over 72 bytes matches only a legacy hash (`allowTruncated`), as passlib made them.
   */
  verify(password: string, hash: string | null, options?: { allowTruncated?: boolean }): Promise<boolean>;
  /** Whether `hash` was made at a lower cost than today's and `password` can be hashed again. */
  shouldRehash(hash: string, password: string): boolean;
}

/** Short-lived access tokens (JWT): authenticating a request with one costs no database call. */
export interface TokenIssuer {
  issue(userId: string): Pick<TokenPair, 'accessToken' | 'tokenType' | 'expiresAt'>;
}

/** What a refresh token says of itself, sealed (MAC) so that it cannot be made up. */
export interface RefreshClaims {
  readonly userId: string;
  readonly credentialsRef: string;
  readonly sessionId: string;
  readonly generation: number;
  readonly sessionsEpoch: number;
  readonly expiresAtSec: number;
}

/** Opaque refresh tokens: 256 random bits, sealed with what they renew; stored only as a hash. */
export interface RefreshTokenCodec {
  issue(claims: RefreshClaims): string;
  /** Null for anything this service did not issue (the seal does not match). */
  open(token: string): RefreshClaims | null;
  hash(token: string): string;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
  /** The same id for the same parts, every time (an idempotent create's item id). */
  derivedId(...parts: string[]): string;
}

/**
 * What happened, for whoever counts it (the service's metrics): the domain says it once, every
 * transport (REST, GraphQL) counts alike.
 */
export type DomainEvent =
  | 'account.registered'
  | 'account.login_succeeded'
  | 'account.login_failed'
  | 'account.refreshed'
  | 'account.refresh_reused'
  | 'account.signed_out'
  | 'account.password_changed'
  | 'account.deleted'
  | 'item.created'
  | 'item.updated'
  | 'item.deleted';

export interface DomainEvents {
  record(event: DomainEvent): void;
}

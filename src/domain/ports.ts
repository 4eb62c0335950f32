import type { AccessToken, Item, Page, User } from './entities.js';

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
  /** Where the credentials are stored (opaque to the domain), to replace the hash after a rehash. */
  readonly ref: string;
}

export interface NewAccount {
  readonly user: User;
  /** The case-insensitive identity of `user.username` (see `usernameKey`). */
  readonly usernameKey: string;
  readonly passwordHash: string;
}

export interface UserRepository {
  /** Claims the name, then writes the user; `ConflictError` when the name is taken. */
  create(account: NewAccount): Promise<void>;
  /** By the name's case-insensitive key; `typedUsername` tells apart old names that collide once folded. */
  findCredentials(usernameKey: string, typedUsername: string): Promise<Credentials | null>;
  /** Replaces the hash if it is still `credentials.passwordHash`; false when it changed meanwhile. */
  replacePasswordHash(credentials: Credentials, newHash: string): Promise<boolean>;
  /** Batched with every other user load of this request. */
  getById(id: string): Promise<User | null>;
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

export interface TokenIssuer {
  issue(userId: string): AccessToken;
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
  | 'item.created'
  | 'item.updated'
  | 'item.deleted';

export interface DomainEvents {
  record(event: DomainEvent): void;
}

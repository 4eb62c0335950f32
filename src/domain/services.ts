import type { Caller, Item, Page, SignedIn, User } from './entities.js';

/**
 * What the transports (GraphQL resolvers, REST shims) may ask of the domain. Inputs arrive as
 * `unknown` where they come straight from a client: the services own the input rules, and
 * validate each input once, throwing `ValidationError` with one issue per broken rule.
 */
export interface AccountService {
  /** `{username, password}`. Two conditional writes; `ConflictError` when the name is taken case-insensitively. */
  register(input: unknown): Promise<SignedIn>;
  /**
   * `{username, password}`. One read; `UnauthenticatedError('Invalid credentials')` for an
   * unknown user or a wrong password alike; `RateLimitedError` after too many failures.
   */
  login(input: unknown): Promise<SignedIn>;
  /** `{refreshToken}`: a new pair; the token presented stops working. A rotated one revokes its sign-in. */
  refresh(input: unknown): Promise<SignedIn>;
  /** `{refreshToken}`: revokes that sign-in (this device). */
  logout(input: unknown): Promise<void>;
  /** Revokes every sign-in of the caller (every device). */
  logoutAll(caller: Caller): Promise<void>;
  /** `{currentPassword, newPassword}`: every sign-in revoked; a new pair for this one. */
  changePassword(caller: Caller, input: unknown): Promise<SignedIn>;
  /** `{password}`: the account, its name, items and sign-ins, all gone. */
  deleteAccount(caller: Caller, input: unknown): Promise<void>;
  /** The caller's profile (through the per-request user loader). */
  me(caller: Caller): Promise<User>;
  /** Any user by id through the loader, or null; for `Item.owner`. */
  getUser(id: string): Promise<User | null>;
}

export interface ItemService {
  /**
   * `{name, description?}`. With an `idempotencyKey` (the client's own, per user), a repeat of
   * the same create answers the item it created; the same key with another input is a
   * `ValidationError`.
   */
  create(caller: Caller, input: unknown, idempotencyKey?: unknown): Promise<Item>;
  /** `NotFoundError` when missing or not the caller's. */
  get(caller: Caller, id: string): Promise<Item>;
  /** Up to 100 ids in one batch; null where missing or not the caller's, in the order given. */
  getMany(caller: Caller, ids: readonly string[]): Promise<(Item | null)[]>;
  /** `{limit?, cursor?}`: 1–100 items (default 50) after an opaque cursor; a forged or foreign one is a `ValidationError`. */
  list(caller: Caller, query: unknown): Promise<Page<Item>>;
  /**
   * The opaque cursor that resumes `list` right after `item`, as `nextCursor` would after a
   * page ending with it. GraphQL's connection needs one per edge, not only per page.
   */
  cursorAfter(item: Item): string;
  /** `{name?, description?}`, at least one; `PreconditionFailedError` when `expectedVersion` is stale. */
  update(caller: Caller, id: string, patch: unknown, expectedVersion?: number): Promise<Item>;
  delete(caller: Caller, id: string, expectedVersion?: number): Promise<void>;
}

export interface Services {
  readonly accounts: AccountService;
  readonly items: ItemService;
}

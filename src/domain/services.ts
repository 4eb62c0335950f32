import type { AccessToken, Caller, Item, Page, User } from './entities.js';

/**
 * What the transports (GraphQL resolvers, REST shims) may ask of the domain. Inputs arrive as
 * `unknown` where they come straight from a client: the services own the input rules and
 * throw `ValidationError` with one issue per broken rule.
 */
export interface AccountService {
  /** Two conditional writes; `ConflictError` when the name is taken case-insensitively. */
  register(input: { username: unknown; password: unknown }): Promise<{ user: User; token: AccessToken }>;
  /** One read; `UnauthenticatedError('Invalid credentials')` for an unknown user or a wrong password alike. */
  login(input: { username: unknown; password: unknown }): Promise<{ user: User; token: AccessToken }>;
  /** The caller's profile (through the per-request user loader). */
  me(caller: Caller): Promise<User>;
  /** Any user by id through the loader, or null; for `Item.owner`. */
  getUser(id: string): Promise<User | null>;
}

export interface ItemListQuery {
  /** 1–100; default 50. */
  readonly limit?: unknown;
  /** An opaque cursor from a previous page; a forged or foreign one is a `ValidationError`. */
  readonly cursor?: unknown;
}

export interface ItemService {
  create(caller: Caller, input: { name: unknown; description?: unknown }): Promise<Item>;
  /** `NotFoundError` when missing or not the caller's. */
  get(caller: Caller, id: string): Promise<Item>;
  /** Up to 100 ids in one batch; null where missing or not the caller's, in the order given. */
  getMany(caller: Caller, ids: readonly string[]): Promise<(Item | null)[]>;
  list(caller: Caller, query: ItemListQuery): Promise<Page<Item>>;
  /**
   * The opaque cursor that resumes `list` right after `item`, as `nextCursor` would after a
   * page ending with it. GraphQL's connection needs one per edge, not only per page.
   */
  cursorAfter(item: Item): string;
  /** At least one of name/description; `PreconditionFailedError` when `expectedVersion` is stale. */
  update(
    caller: Caller,
    id: string,
    patch: { name?: unknown; description?: unknown },
    expectedVersion?: number,
  ): Promise<Item>;
  delete(caller: Caller, id: string, expectedVersion?: number): Promise<void>;
}

/** Verifies bearer tokens without touching the database. */
export interface Authenticator {
  /** `UnauthenticatedError` for a missing, malformed, expired or forged token. */
  authenticate(token: string | undefined): Caller;
}

export interface Services {
  readonly accounts: AccountService;
  readonly items: ItemService;
}

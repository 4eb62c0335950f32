/** An account as everyone but the credential store sees it: never with its password hash. */
export interface User {
  readonly id: string;
  readonly username: string;
  /** ISO-8601, UTC. */
  readonly createdAt: string;
}

export interface Item {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly description: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Starts at 1; every write bumps it. Clients send it back to make a write conditional. */
  readonly version: number;
}

/** The authenticated caller, known from the token alone (no database call). */
export interface Caller {
  readonly userId: string;
}

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  /** ISO-8601, UTC. */
  readonly expiresAt: string;
}

/** One page of a newest-first listing; `nextCursor` is opaque and null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

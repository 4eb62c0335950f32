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

/** What signing in (or refreshing) answers: a short-lived access token and the refresh token that renews it. */
export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  /** ISO-8601, UTC. */
  readonly expiresAt: string;
  /** Opaque; stored only as a hash. Rotates at every use: the one presented stops working. */
  readonly refreshToken: string;
  /** ISO-8601, UTC. */
  readonly refreshExpiresAt: string;
}

/** An account and the tokens that sign it in. */
export interface SignedIn {
  readonly user: User;
  readonly token: TokenPair;
}

/** One page of a newest-first listing; `nextCursor` is opaque and null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

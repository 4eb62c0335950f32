import type { SignedIn, User } from './entities.js';
import { RateLimitedError, UnauthenticatedError } from './errors.js';
import type {
  Clock,
  Credentials,
  DomainEvents,
  IdGenerator,
  PasswordHasher,
  RefreshTokenCodec,
  TokenIssuer,
  UserRepository,
} from './ports.js';
import { throttledFor, throttleWindow } from './sign-in-throttle.js';

export const INVALID_CREDENTIALS = 'Invalid credentials';

export interface SignInDependencies {
  readonly users: UserRepository;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenIssuer;
  readonly refreshTokens: RefreshTokenCodec;
  readonly refreshTtlDays: number;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEvents;
}

/** What signing in and proving a password share: the throttled check, and the tokens it earns. */
export interface SignIn {
  /**
   * The password of these credentials (or of a name nobody holds: the same work, the same
   * answer), throttled per name. `UnauthenticatedError` when wrong, `RateLimitedError` past the
   * limit. An account being deleted signs in no more, unless `whileDeleting` (its deletion resuming).
   */
  checkPassword(
    subject: { credentials: Credentials | null; usernameKey: string },
    password: string,
    options?: { whileDeleting?: boolean },
  ): Promise<Credentials>;
  /** A new access token, and a refresh token of `session` (a new sign-in's when omitted). */
  tokensFor(
    user: User,
    credentials: Pick<Credentials, 'ref' | 'sessionsEpoch'>,
    session?: { id: string; generation: number },
  ): SignedIn;
}

export function createSignIn(deps: SignInDependencies): SignIn {
  const { users, passwords, tokens, refreshTokens, clock, ids, events } = deps;
  return {
    async checkPassword({ credentials, usernameKey }, password, options = {}) {
      const now = clock.now();
      const failures = credentials?.failures ?? (await users.failedAttemptsOfUnknown(usernameKey));
      const waitSeconds = throttledFor(failures, now);
      if (waitSeconds !== null) throw new RateLimitedError(waitSeconds);
      // Unknown user or wrong password: the same bcrypt work, the same answer.
      const valid = await passwords.verify(password, credentials?.passwordHash ?? null, {
        allowTruncated: credentials?.legacy,
      });
      const { window, endsAtSec } = throttleWindow(now);
      if (!credentials || !valid || (credentials.deleting && !options.whileDeleting)) {
        await users.recordFailedAttempt(credentials ?? { usernameKey }, window, endsAtSec);
        events.record('account.login_failed');
        throw new UnauthenticatedError(INVALID_CREDENTIALS);
      }
      // Earlier failures in this window are forgotten once the password is proved (a write
      // only in that uncommon case).
      if (credentials.failures.window === window && credentials.failures.count > 0) {
        await users.clearFailedAttempts(credentials);
      }
      // A hash below today's cost (an old account's) is upgraded now that the password is known:
      // one extra write, on this success only; losing a race to another login is fine.
      if (passwords.shouldRehash(credentials.passwordHash, password)) {
        const passwordHash = await passwords.hash(password);
        if (await users.replacePasswordHash(credentials, passwordHash))
          return { ...credentials, passwordHash };
      }
      return credentials;
    },

    tokensFor(user, credentials, session = { id: ids.newId(), generation: 0 }) {
      const expiresAtSec = Math.floor(clock.now().getTime() / 1000) + deps.refreshTtlDays * 86_400;
      const refreshToken = refreshTokens.issue({
        userId: user.id,
        credentialsRef: credentials.ref,
        sessionId: session.id,
        generation: session.generation,
        sessionsEpoch: credentials.sessionsEpoch,
        expiresAtSec,
      });
      return {
        user,
        token: {
          ...tokens.issue(user.id),
          refreshToken,
          refreshExpiresAt: new Date(expiresAtSec * 1000).toISOString(),
        },
      };
    },
  };
}

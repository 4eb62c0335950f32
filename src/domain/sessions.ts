import { NotFoundError, UnauthenticatedError } from './errors.js';
import { parseInput, refreshInput } from './input-rules.js';
import type { Clock, DomainEvents, RefreshTokenCodec, SessionRepository, UserRepository } from './ports.js';
import type { AccountService } from './services.js';
import type { SignIn } from './sign-in.js';

const INVALID_REFRESH_TOKEN = 'Invalid or expired refresh token';
const REFRESH_TOKEN_REUSED = 'Refresh token already used: this sign-in is revoked';

export interface SessionsDependencies {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly refreshTokens: RefreshTokenCodec;
  readonly clock: Clock;
  readonly events: DomainEvents;
  readonly signIn: SignIn;
}

/**
 * Staying signed in and signing out. A sign-in is a session whose refresh token rotates at
 * every use; presenting one that was already rotated means two holders have it: the session
 * is revoked. Access tokens are never looked up (zero calls per request) and stay valid until
 * they expire.
 */
export function createSessions(
  deps: SessionsDependencies,
): Pick<AccountService, 'refresh' | 'logout' | 'logoutAll'> {
  const { users, sessions, refreshTokens, clock, events, signIn } = deps;

  const openToken = (input: unknown, options: { evenExpired?: boolean } = {}) => {
    const { refreshToken } = parseInput(refreshInput, input);
    const claims = refreshTokens.open(refreshToken);
    const expired = claims !== null && claims.expiresAtSec * 1000 <= clock.now().getTime();
    if (!claims || (expired && !options.evenExpired)) throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
    return { claims, hash: refreshTokens.hash(refreshToken) };
  };

  return {
    async refresh(input) {
      const { claims, hash } = openToken(input);
      const { session, credentials } = await sessions.load(claims.sessionId, claims.credentialsRef);
      // Signed out everywhere, password changed, account deleted or being deleted: the session is over.
      if (
        !credentials ||
        credentials.user.id !== claims.userId ||
        credentials.deleting ||
        credentials.sessionsEpoch !== claims.sessionsEpoch ||
        session?.revoked
      ) {
        throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
      }
      const owner = { userId: credentials.user.id, username: credentials.user.username };
      // The sign-in's first token is never stored: it is current until the session has a row.
      const current = session ? session.currentHash === hash : claims.generation === 0;
      // Two refreshes of one token at once: the other one won a moment ago; this one gets
      // nothing, and the winner keeps its session.
      if (!current && session?.justReplacedHash === hash)
        throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
      if (!current) {
        await sessions.revoke(claims.sessionId);
        events.record('account.refresh_reused');
        throw new UnauthenticatedError(REFRESH_TOKEN_REUSED);
      }
      const next = signIn.tokensFor(credentials.user, credentials, {
        id: claims.sessionId,
        generation: claims.generation + 1,
      });
      const rotated = await sessions.rotate({
        sessionId: claims.sessionId,
        owner,
        from: hash,
        firstRotation: !session,
        to: refreshTokens.hash(next.token.refreshToken),
        generation: claims.generation + 1,
        expiresAtSec: Math.floor(Date.parse(next.token.refreshExpiresAt) / 1000),
      });
      // Two refreshes of one token at once, both read before either wrote: the other one won.
      if (!rotated) throw new UnauthenticatedError(INVALID_REFRESH_TOKEN);
      events.record('account.refreshed');
      return next;
    },

    /** Revokes this sign-in's session, whatever state its token is in (one write). */
    async logout(input) {
      const { claims } = openToken(input, { evenExpired: true });
      await sessions.revoke(claims.sessionId);
      events.record('account.signed_out');
    },

    async logoutAll(caller) {
      const user = await users.getById(caller.userId);
      const credentials = user && (await users.findCredentialsOf(user));
      // As for the profile: a valid token of an account that is gone (or going) finds nothing.
      if (!user || !credentials) throw new NotFoundError('User not found');
      await users.endAllSessions(credentials);
      events.record('account.signed_out');
    },
  };
}

import jwt from 'jsonwebtoken';
import type { AccessToken, Caller } from '../domain/entities.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { TokenIssuer } from '../domain/ports.js';

export interface TokenSettings {
  readonly signingKey: string;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlMinutes: number;
}

/** Verifies bearer tokens without touching the database. */
export interface Authenticator {
  /** `UnauthenticatedError` for a missing, malformed, expired or forged token. */
  authenticate(token: string | undefined): Caller;
}

const ALGORITHM = 'HS256';

/** Lambda hosts' clocks agree within seconds; an `iat` further ahead was not issued by us. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** HS256 JWTs: `sub` is the user id; verification pins the algorithm, issuer and audience. */
export class JwtTokens implements TokenIssuer, Authenticator {
  constructor(private readonly settings: TokenSettings) {}

  issue(userId: string): AccessToken {
    const { signingKey, issuer, audience, ttlMinutes } = this.settings;
    const accessToken = jwt.sign({}, signingKey, {
      algorithm: ALGORITHM,
      subject: userId,
      issuer,
      audience,
      expiresIn: ttlMinutes * 60,
    });
    const { exp } = jwt.decode(accessToken) as { exp: number };
    return { accessToken, tokenType: 'bearer', expiresAt: new Date(exp * 1000).toISOString() };
  }

  authenticate(token: string | undefined): Caller {
    if (!token) throw new UnauthenticatedError('Not authenticated');
    const { signingKey, issuer, audience } = this.settings;
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, signingKey, { algorithms: [ALGORITHM], issuer, audience });
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw new UnauthenticatedError(expired ? 'Token has expired' : 'Could not validate credentials');
    }
    // jsonwebtoken skips `exp` when absent and never checks `iat`: a token without a subject,
    // an expiry or an issue time, or issued in the future, is not one of ours.
    if (
      typeof claims === 'string' ||
      typeof claims.sub !== 'string' ||
      !claims.sub ||
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number' ||
      claims.iat > Math.floor(Date.now() / 1000) + CLOCK_TOLERANCE_SECONDS
    ) {
      throw new UnauthenticatedError('Could not validate credentials');
    }
    return { userId: claims.sub };
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

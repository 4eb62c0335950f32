import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Caller } from '../domain/entities.js';
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
  /** The same, with the moment the token expires: what a connection that outlives it needs. */
  authenticateUntil(token: string | undefined): { readonly caller: Caller; readonly expiresAtMs: number };
}

const ALGORITHM = 'HS256';

/** Lambda hosts' clocks agree within seconds; an `iat` further ahead was not issued by us. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** HS256 JWTs: `sub` is the user id; verification pins the algorithm, issuer and audience. */
export class JwtTokens implements TokenIssuer, Authenticator {
  /**
   * Made once: given a string, jsonwebtoken first tries to read it as a public key (and fails,
   * by exception) on every verification, which costs more than the HMAC itself.
   */
  private readonly key: KeyObject;
  /** Tokens this process has verified, by their text: see `remember`. */
  private readonly verified = new Map<string, { readonly userId: string; readonly expiresAtMs: number }>();

  constructor(private readonly settings: TokenSettings) {
    this.key = createSecretKey(Buffer.from(settings.signingKey, 'utf8'));
  }

  issue(userId: string): ReturnType<TokenIssuer['issue']> {
    const { issuer, audience, ttlMinutes } = this.settings;
    const accessToken = jwt.sign({}, this.key, {
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
    return this.authenticateUntil(token).caller;
  }

  authenticateUntil(token: string | undefined): { caller: Caller; expiresAtMs: number } {
    if (!token) throw new UnauthenticatedError('Not authenticated');
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAtMs) {
      return { caller: { userId: known.userId }, expiresAtMs: known.expiresAtMs };
    }
    const verified = this.verify(token);
    this.remember(token, verified);
    return { caller: { userId: verified.userId }, expiresAtMs: verified.expiresAtMs };
  }

  private verify(token: string): Caller & { expiresAtMs: number } {
    const { issuer, audience } = this.settings;
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer, audience });
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
    return { userId: claims.sub, expiresAtMs: claims.exp * 1000 };
  }

  /**
   * A client sends its token with every request until it expires: a token verified once is
   * known (by its exact text) until its `exp`, which is checked on every use, so only the
   * first request pays for the signature. Bounded: the oldest entry makes room.
   */
  private remember(token: string, caller: Caller & { expiresAtMs: number }): void {
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, { userId: caller.userId, expiresAtMs: caller.expiresAtMs });
  }
}

/** Tokens remembered per process (an entry is a few hundred bytes). */
const VERIFIED_TOKENS_KEPT = 1_000;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

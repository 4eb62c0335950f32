import { createHash, randomBytes } from 'node:crypto';
import type { RefreshClaims, RefreshTokenCodec } from '../domain/ports.js';
import { Sealer } from './sealer.js';

/**
 * Opaque refresh tokens: `<claims>.<256 random bits>.<seal>`, base64url, sealed with an HMAC
 * under a key of their own (derived from the signing key, so tokens of the two kinds never
 * share one). The claims say which session and credentials a token renews; the random part
 * makes every token unique; only a token's SHA-256 is ever stored.
 */
export class HmacRefreshTokens implements RefreshTokenCodec {
  private readonly sealer: Sealer;

  constructor(signingKey: string) {
    this.sealer = new Sealer(signingKey, 'refresh-token/v1');
  }

  issue(claims: RefreshClaims): string {
    const payload = Buffer.from(
      JSON.stringify([
        claims.userId,
        claims.credentialsRef,
        claims.sessionId,
        claims.generation,
        claims.sessionsEpoch,
        claims.expiresAtSec,
      ]),
    ).toString('base64url');
    const unsealed = `${payload}.${randomBytes(32).toString('base64url')}`;
    return `${unsealed}.${this.sealer.seal(unsealed)}`;
  }

  open(token: string): RefreshClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [payload, random, seal] = parts as [string, string, string];
    if (!this.sealer.verifies(`${payload}.${random}`, seal)) return null;
    const [userId, credentialsRef, sessionId, generation, sessionsEpoch, expiresAtSec] = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as [string, string, string, number, number, number];
    return { userId, credentialsRef, sessionId, generation, sessionsEpoch, expiresAtSec };
  }

  hash(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }
}

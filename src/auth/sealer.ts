import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC seals under a key of their own, derived from the signing key by a label, so that the
 * kinds of sealed text (listing cursors, refresh tokens) never share a key with each other or
 * with the access tokens.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(signingKey: string, label: string) {
    this.key = createHmac('sha256', signingKey).update(label).digest();
  }

  /** The seal of `text`, base64url. */
  seal(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  /** Whether `seal` is the seal of `text`, compared in constant time. */
  verifies(text: string, seal: string): boolean {
    const expected = Buffer.from(this.seal(text));
    const given = Buffer.from(seal);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

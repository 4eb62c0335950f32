import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { PASSWORD_MAX_BYTES } from '../domain/input-rules.js';
import type { PasswordHasher } from '../domain/ports.js';

/**
 * bcrypt with the configured cost. bcryptjs silently reads only the first 72 bytes, so longer
 * passwords are refused here too, whatever the caller validated.
 */
export class BcryptPasswordHasher implements PasswordHasher {
  // Compared against when the user is unknown, so that case costs what a wrong password costs.
  private readonly decoyHash: string;

  constructor(private readonly cost: number) {
    this.decoyHash = decoyHash(cost);
  }

  async hash(password: string): Promise<string> {
    if (bcrypt.truncates(password)) {
      throw new RangeError(`password over ${PASSWORD_MAX_BYTES} bytes would be truncated by bcrypt`);
    }
    return bcrypt.hash(password, this.cost);
  }

  async verify(
    password: string,
    hash: string | null,
    options: { allowTruncated?: boolean } = {},
  ): Promise<boolean> {
    // A password bcrypt would truncate could never have been registered here; the old service
    // (passlib) took such passwords and hashed their first 72 bytes, which bcryptjs also compares.
    const acceptable = options.allowTruncated === true || !bcrypt.truncates(password);
    const matches = await bcrypt.compare(password, hash ?? this.decoyHash);
    return acceptable && hash !== null && matches;
  }

  shouldRehash(hash: string, password: string): boolean {
    const cost = Number(/^\$2[abxy]\$(\d{2})\$/.exec(hash)?.[1]);
    return Number.isInteger(cost) && cost < this.cost && !bcrypt.truncates(password);
  }
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A well-formed bcrypt hash of nothing anyone knows, at this cost. Comparing against it does all
 * of bcrypt's work (the work depends on the cost and salt written in the hash, not on what was
 * hashed) and never matches; made from random bytes instead of hashed, so that start-up (a
 * Lambda cold start) does not spend a whole bcrypt round on it.
 */
function decoyHash(cost: number): string {
  // 22 characters of salt and 31 of hash; the last of each carries only some bits: '.' is 0.
  const body = [...randomBytes(53)].map((byte) => BCRYPT_ALPHABET[byte % 64]);
  body[21] = '.';
  body[52] = '.';
  return `$2b$${String(cost).padStart(2, '0')}$${body.join('')}`;
}

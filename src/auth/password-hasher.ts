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
  private readonly decoyHash: Promise<string>;

  constructor(private readonly cost: number) {
    this.decoyHash = bcrypt.hash(randomBytes(24).toString('base64'), cost);
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
    const matches = await bcrypt.compare(password, hash ?? (await this.decoyHash));
    return acceptable && hash !== null && matches;
  }

  shouldRehash(hash: string, password: string): boolean {
    const cost = Number(/^\$2[abxy]\$(\d{2})\$/.exec(hash)?.[1]);
    return Number.isInteger(cost) && cost < this.cost && !bcrypt.truncates(password);
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../domain/errors.js';

/** Where a listing continues: the last item of the page, as the index knows it. */
export interface ItemPosition {
  readonly id: string;
  readonly createdAt: string;
}

const invalidCursor = () =>
  new ValidationError([{ path: ['cursor'], message: 'Value error, invalid cursor', type: 'value_error' }]);

/**
 * Opaque listing cursors, sealed with an HMAC over the owner and the position. A cursor is
 * only accepted for the owner it was issued to: a client can neither forge one nor steer a
 * Query into another owner's partition by editing one.
 */
export class PageCursors {
  private readonly key: Buffer;

  constructor(signingKey: string) {
    // A key of its own, derived from the signing key, so cursors and tokens never share one.
    this.key = createHmac('sha256', signingKey).update('page-cursor/v1').digest();
  }

  seal(ownerId: string, position: ItemPosition): string {
    const payload = Buffer.from(JSON.stringify([position.id, position.createdAt])).toString('base64url');
    return `${payload}.${this.mac(ownerId, payload)}`;
  }

  /** `ValidationError` (path `cursor`) for anything not sealed by `seal` for this owner. */
  open(ownerId: string, cursor: string): ItemPosition {
    const [payload, mac, extra] = cursor.split('.');
    if (!payload || !mac || extra !== undefined) throw invalidCursor();
    const expected = Buffer.from(this.mac(ownerId, payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
    const [id, createdAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [
      string,
      string,
    ];
    return { id, createdAt };
  }

  private mac(ownerId: string, payload: string): string {
    return createHmac('sha256', this.key).update(`${ownerId}\n${payload}`).digest('base64url');
  }
}

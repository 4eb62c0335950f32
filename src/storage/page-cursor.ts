import { Sealer } from '../auth/sealer.js';
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
  private readonly sealer: Sealer;

  constructor(signingKey: string) {
    this.sealer = new Sealer(signingKey, 'page-cursor/v1');
  }

  seal(ownerId: string, position: ItemPosition): string {
    const payload = Buffer.from(JSON.stringify([position.id, position.createdAt])).toString('base64url');
    return `${payload}.${this.sealer.seal(`${ownerId}\n${payload}`)}`;
  }

  /** `ValidationError` (path `cursor`) for anything not sealed by `seal` for this owner. */
  open(ownerId: string, cursor: string): ItemPosition {
    const [payload, mac, extra] = cursor.split('.');
    if (!payload || !mac || extra !== undefined) throw invalidCursor();
    if (!this.sealer.verifies(`${ownerId}\n${payload}`, mac)) throw invalidCursor();
    const [id, createdAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [
      string,
      string,
    ];
    return { id, createdAt };
  }
}

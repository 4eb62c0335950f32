import { createHash } from 'node:crypto';
import type { Item } from '../domain/entities.js';

/**
 * What an idempotent create asked for, as a digest: the same validated input (whatever
 * unknown fields or spelling the body had) gives the same digest.
 */
export function requestDigest(item: Pick<Item, 'name' | 'description'>): string {
  return createHash('sha256')
    .update(JSON.stringify([item.name, item.description]))
    .digest('base64url');
}

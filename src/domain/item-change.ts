import type { Item } from './entities.js';

export type ItemChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/**
 * What happened to one item, as its owner's subscriptions see it: made from the items table's
 * change stream (any writer), never from the write path, so that writes stay one call.
 */
export interface ItemChange {
  readonly kind: ItemChangeKind;
  readonly itemId: string;
  /** Who the change concerns: only this user's subscriptions ever receive it. */
  readonly ownerId: string;
  /** After the change; for a deletion, the version the item had. */
  readonly version: number;
  /** The item after the change; null for a deletion. */
  readonly item: Item | null;
  /** ISO-8601, UTC. */
  readonly changedAt: string;
}

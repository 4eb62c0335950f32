import type { ItemChange } from '../domain/item-change.js';
import type { RequestContext } from '../request-context.js';

/** What every resolver receives: the request context shared with the REST shims. */
export type GraphQLContext = RequestContext & {
  /**
   * The changes to one user's items as they happen: the source stream of
   * `Subscription.itemChanged`, given where the changes reach this process (the local server's
   * WebSocket). On AWS the publisher runs each change itself; over HTTP there is none.
   */
  readonly itemChanges?: (ownerId: string) => AsyncIterable<ItemChange>;
};

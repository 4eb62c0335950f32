import type { ItemChange } from '../../domain/item-change.js';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';

export const Subscription: SubscriptionResolvers = {
  itemChanged: {
    // The caller's own changes only: the owner is the authenticated caller, never an argument.
    subscribe: (_parent, _args, { caller, itemChanges }) => {
      if (!itemChanges) throw new Error('Subscriptions are served over WebSocket only');
      return itemChanges(caller().userId);
    },
    // Each event is the change itself (graphql-js executes the selection with it as the root).
    resolve: (change: ItemChange) => change,
  },
};

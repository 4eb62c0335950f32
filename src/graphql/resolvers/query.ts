import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { listCallerItems } from './item-connection.js';
import { findNode } from './node.js';

export const Query: QueryResolvers = {
  health: () => ({ status: 'ok' }),
  me: (_parent, _args, { services, caller }) => services.accounts.me(caller()),
  item: (_parent, { id }, { services, caller }) => services.items.get(caller(), id),
  items: (_parent, args, context) => listCallerItems(context, args),
  itemsByIds: (_parent, { ids }, { services, caller }) => services.items.getMany(caller(), ids),
  node: (_parent, { id }, context) => findNode(context, id),
};

import type { Item, User } from '../../domain/entities.js';
import type { NodeResolvers } from '../__generated__/resolvers-types.js';
import type { GraphQLContext } from '../context.js';

/**
 * Relay's Global Object Identification over the ids the API already has: users' and items' ids
 * are UUIDs, unique across both types, so `node(id)` needs no type prefix and every id a
 * client holds keeps working. A caller sees only themself and their own items.
 */
export async function findNode(
  { services, caller }: GraphQLContext,
  id: string,
): Promise<Item | User | null> {
  const me = caller();
  if (id === me.userId) return services.accounts.me(me);
  const [item] = await services.items.getMany(me, [id]);
  return item ?? null;
}

export const Node: NodeResolvers = {
  __resolveType: (node) => ('ownerId' in node ? 'Item' : 'User'),
};

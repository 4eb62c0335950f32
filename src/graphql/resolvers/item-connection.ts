import type { ItemConnectionResolvers } from '../__generated__/resolvers-types.js';
import type { GraphQLContext } from '../context.js';
import type { ItemConnectionSource } from '../mappers.js';

export interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

/** The caller's items, newest first; `first` and `after` are checked by the service. */
export function listCallerItems(
  { services, caller }: GraphQLContext,
  { first, after }: ConnectionArgs,
): Promise<ItemConnectionSource> {
  return services.items.list(caller(), { limit: first ?? undefined, cursor: after ?? undefined });
}

export const ItemConnection: ItemConnectionResolvers = {
  edges: ({ items }, _args, { services }) =>
    items.map((node) => ({ cursor: services.items.cursorAfter(node), node })),
  pageInfo: ({ items, nextCursor }, _args, { services }) => {
    const [first, last] = [items.at(0), items.at(-1)];
    return {
      hasNextPage: nextCursor !== null,
      // Forward pagination only: the Relay specification lets this be false.
      hasPreviousPage: false,
      startCursor: first ? services.items.cursorAfter(first) : null,
      endCursor: last ? services.items.cursorAfter(last) : null,
    };
  },
};

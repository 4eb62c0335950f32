import type { ItemResolvers } from '../__generated__/resolvers-types.js';
import { NotFoundError } from '../../domain/errors.js';

export const Item: ItemResolvers = {
  // Through the request's user loader: owners of many items, and `me`, share one read.
  owner: async ({ ownerId }, _args, { services }) => {
    const owner = await services.accounts.getUser(ownerId);
    if (!owner) throw new NotFoundError('User not found');
    return owner;
  },
};

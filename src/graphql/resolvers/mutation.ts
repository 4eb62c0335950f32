import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, { services }) => services.accounts.register(input),
  login: (_parent, { input }, { services }) => services.accounts.login(input),
  createItem: (_parent, { input, idempotencyKey }, { services, caller }) =>
    services.items.create(caller(), input, idempotencyKey),
  updateItem: (_parent, { id, input, expectedVersion }, { services, caller }) =>
    services.items.update(caller(), id, input, expectedVersion ?? undefined),
  deleteItem: async (_parent, { id, expectedVersion }, { services, caller }) => {
    await services.items.delete(caller(), id, expectedVersion ?? undefined);
    return id;
  },
};

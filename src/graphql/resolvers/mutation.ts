import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, { services }) => services.accounts.register(input),
  login: (_parent, { input }, { services }) => services.accounts.login(input),
  refreshToken: (_parent, { input }, { services }) => services.accounts.refresh(input),
  logout: async (_parent, { input }, { services }) => {
    await services.accounts.logout(input);
    return true;
  },
  logoutAll: async (_parent, _args, { services, caller }) => {
    await services.accounts.logoutAll(caller());
    return true;
  },
  changePassword: (_parent, { input }, { services, caller }) =>
    services.accounts.changePassword(caller(), input),
  deleteAccount: async (_parent, { input }, { services, caller }) => {
    await services.accounts.deleteAccount(caller(), input);
    return true;
  },
  createItem: (_parent, { input, idempotencyKey }, { services, caller }) =>
    services.items.create(caller(), input, idempotencyKey),
  updateItem: (_parent, { id, input, expectedVersion }, { services, caller }) =>
    services.items.update(caller(), id, input, expectedVersion ?? undefined),
  deleteItem: async (_parent, { id, expectedVersion }, { services, caller }) => {
    await services.items.delete(caller(), id, expectedVersion ?? undefined);
    return id;
  },
};

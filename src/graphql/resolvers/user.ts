import type { UserResolvers } from '../__generated__/resolvers-types.js';
import { listCallerItems } from './item-connection.js';

export const User: UserResolvers = {
  // Only the user themself sees their items; for anyone else the field is null, not an error,
  // so that nothing tells whether that user has items at all.
  items: (user, args, context) =>
    user.id === context.caller().userId ? listCallerItems(context, args) : null,
};

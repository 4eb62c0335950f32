import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { AuthPayload } from './auth-payload.js';
import { Item } from './item.js';
import { ItemConnection } from './item-connection.js';
import { Mutation } from './mutation.js';
import { Node } from './node.js';
import { Query } from './query.js';
import { Subscription } from './subscription.js';
import { User } from './user.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query,
  Mutation,
  Subscription,
  Node,
  AuthPayload,
  Item,
  ItemConnection,
  User,
};

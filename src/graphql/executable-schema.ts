import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { typeDefs } from './__generated__/type-defs.js';
import { resolvers } from './resolvers/index.js';

/** The SDL with its resolvers: what Apollo serves over HTTP and the subscriptions run over WebSocket. */
export function createExecutableSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs, resolvers });
}

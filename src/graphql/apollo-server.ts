import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Logger } from '../logger.js';
import { typeDefs } from './__generated__/type-defs.js';
import type { GraphQLContext } from './context.js';
import { resolvers } from './resolvers/index.js';

export interface ApolloOptions {
  readonly introspection: boolean;
  readonly logger: Logger;
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema: makeExecutableSchema({ typeDefs, resolvers }),
    introspection: options.introspection,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    logger: options.logger,
  });
}

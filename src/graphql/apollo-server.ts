import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Logger } from '../logger.js';
import { typeDefs } from './__generated__/type-defs.js';
import type { GraphQLContext } from './context.js';
import { errorReportingPlugin, formatError } from './error-boundary.js';
import { graphqlLimits } from './limits.js';
import { secretVariablesPlugin } from './secret-variables.js';
import { resolvers } from './resolvers/index.js';

export interface ApolloOptions {
  readonly introspection: boolean;
  readonly logger: Logger;
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GraphQLContext> {
  const limits = graphqlLimits({ hideFieldSuggestions: !options.introspection });
  return new ApolloServer<GraphQLContext>({
    schema: makeExecutableSchema({ typeDefs, resolvers }),
    introspection: options.introspection,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    plugins: [
      // The transport serves our own IDE page; Apollo's default one loads from Apollo's CDN.
      ApolloServerPluginLandingPageDisabled(),
      // No GraphOS reporting, even with APOLLO_KEY in the environment: the bundle leaves it out.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // No HTTP caching of operations (every answer is the caller's own): without this default
      // plugin, Apollo does not wrap every resolver to collect cache hints.
      ApolloServerPluginCacheControlDisabled(),
      secretVariablesPlugin(),
      errorReportingPlugin(options.logger),
      ...(limits.plugins ?? []),
    ],
    logger: options.logger,
  });
}

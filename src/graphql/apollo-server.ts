import { ApolloServer } from '@apollo/server';
import {
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
import { ideLandingPage } from './ide-landing-page.js';
import { graphqlLimits } from './limits.js';
import { resolvers } from './resolvers/index.js';

export interface ApolloOptions {
  readonly introspection: boolean;
  readonly logger: Logger;
  /** The self-hosted GraphiQL page for `GET /graphql` from a browser. */
  readonly idePage: () => Promise<string>;
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
      // Our own IDE page instead of Apollo's default one, which loads from Apollo's CDN.
      ApolloServerPluginLandingPageDisabled(),
      ideLandingPage(options.idePage),
      // No GraphOS reporting, even with APOLLO_KEY in the environment: the bundle leaves it out.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      errorReportingPlugin(options.logger),
      ...(limits.plugins ?? []),
    ],
    logger: options.logger,
  });
}

import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { Logger } from '../logger.js';
import type { GraphQLContext } from './context.js';
import { errorReportingPlugin, formatError } from './error-boundary.js';
import { createExecutableSchema } from './executable-schema.js';
import { graphqlLimits } from './limits.js';
import { secretVariablesPlugin } from './secret-variables.js';
import { subscriptionsOverHttpPlugin } from './subscriptions-over-http.js';

export interface ApolloOptions {
  readonly introspection: boolean;
  readonly logger: Logger;
}

export function createApolloServer(options: ApolloOptions): ApolloServer<GraphQLContext> {
  const limits = graphqlLimits({ hideFieldSuggestions: !options.introspection });
  return new ApolloServer<GraphQLContext>({
    schema: createExecutableSchema(),
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
      subscriptionsOverHttpPlugin(),
      errorReportingPlugin(options.logger),
      ...(limits.plugins ?? []),
    ],
    logger: options.logger,
  });
}

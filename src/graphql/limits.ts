import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLContext } from './context.js';
import { costLimitPlugin } from './cost-limit.js';

/**
 * What one GraphQL request may ask for, checked while parsing and validating, before any
 * resolver runs. Sized so that what the API is for fits (the IDE's introspection, 50 aliased
 * reads, `items { edges { node { owner { items ... } } } }`) and abuse does not.
 */
export const GRAPHQL_LIMITS = {
  /** Deepest legitimate shape: items → edges → node → owner → items → edges → node → field (8). */
  maxDepth: 10,
  /** `itemsByIds` covers bulk reads; aliases beyond this are a query multiplying its own cost. */
  maxAliases: 60,
  maxDirectives: 20,
  maxTokens: 2_000,
  maxCost: 5_000,
} as const;

export interface LimitOptions {
  /** With introspection off, "Did you mean ...?" would leak the schema field by field. */
  readonly hideFieldSuggestions: boolean;
}

type LimitSettings = Pick<
  ApolloServerOptions<GraphQLContext>,
  'plugins' | 'validationRules' | 'parseOptions'
>;

export function graphqlLimits(options: LimitOptions): LimitSettings {
  const armor = new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth },
    // `__typename` too: armor leaves it out by default, and 500 of them are 500 aliases.
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases, allowList: [] },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
    // Armor counts only literal `first:` arguments; cost-limit.ts also reads defaults and variables.
    costLimit: { enabled: false },
    // Armor's token check throws from a plugin hook, which Apollo answers as a 500; graphql's
    // own parser limit fails the parse instead: a 400 GRAPHQL_PARSE_FAILED that says why.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }).protect();
  return {
    // Armor types its plugins against Apollo's CommonJS declarations, we use the ESM build: one
    // class at run time, two declarations to TypeScript.
    plugins: [
      ...(armor.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      costLimitPlugin(GRAPHQL_LIMITS.maxCost),
    ],
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: GRAPHQL_LIMITS.maxTokens },
  };
}

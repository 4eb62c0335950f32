import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { cachedOperationCost, costLimitError } from '../graphql/cost-limit.js';
import { GRAPHQL_LIMITS, graphqlLimits } from '../graphql/limits.js';

/** A `subscribe` message's payload, as graphql-transport-ws carries it. */
export interface SubscriptionRequest {
  readonly query: string;
  readonly operationName?: string | null | undefined;
  readonly variables?: Record<string, unknown> | null | undefined;
}

/** A subscription document that passed every check, ready to run on each change. */
export interface PreparedSubscription {
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly variables: Record<string, unknown>;
}

export type PreparedOrRefused = PreparedSubscription | readonly GraphQLError[];

export function isRefused(prepared: PreparedOrRefused): prepared is readonly GraphQLError[] {
  return Array.isArray(prepared);
}

export interface SubscriptionDocumentOptions {
  /** As for queries: with introspection off, "Did you mean ...?" would leak the schema. */
  readonly hideFieldSuggestions: boolean;
}

/**
 * Checks a subscription document exactly as Apollo checks a query over HTTP — the parser's
 * token limit, graphql's rules with graphql-armor's depth, alias and directive limits
 * (limits.ts), the variables against their definitions, then the cost (cost-limit.ts) — and
 * answers every refusal as GraphQL errors (a graphql-ws `error` message, never a closed
 * socket). Each error carries Apollo's code for it, which the error boundary reports as the
 * `reason` of a `BAD_USER_INPUT`, as over HTTP.
 */
export function subscriptionDocuments(schema: GraphQLSchema, options: SubscriptionDocumentOptions) {
  const limits = graphqlLimits({ hideFieldSuggestions: options.hideFieldSuggestions });
  const rules: ValidationRule[] = [...specifiedRules, ...(limits.validationRules ?? [])];

  return function prepare(request: SubscriptionRequest): PreparedOrRefused {
    let document: DocumentNode;
    try {
      document = parse(request.query, { maxTokens: GRAPHQL_LIMITS.maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError) return [withCode(error, 'GRAPHQL_PARSE_FAILED')];
      throw error;
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) {
      return invalid.map((error) =>
        withCode(error, 'GRAPHQL_VALIDATION_FAILED', options.hideFieldSuggestions),
      );
    }
    const operationName = request.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return [
        refusal(
          operationName ? `Unknown operation named "${operationName}".` : 'Unable to identify the operation.',
          'OPERATION_RESOLUTION_FAILURE',
        ),
      ];
    }
    if (operation.operation !== 'subscription') {
      return [
        refusal(
          `Only subscriptions are served over WebSocket; send a ${operation.operation} over HTTP (POST /graphql).`,
          'OPERATION_NOT_SUPPORTED',
        ),
      ];
    }
    const variables = request.variables ?? {};
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return coerced.errors.map((error) => withCode(error, 'BAD_USER_INPUT'));
    const cost = cachedOperationCost(schema, document, variables, operationName);
    if (cost !== undefined && cost > GRAPHQL_LIMITS.maxCost)
      return [costLimitError(cost, GRAPHQL_LIMITS.maxCost)];
    // After the limits, which refuse a document whatever it asks for.
    const unavailable = validate(schema, document, [noListingsInSubscriptions]);
    if (unavailable.length > 0)
      return unavailable.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
    return { document, operationName, variables };
  };
}

export type PrepareSubscription = ReturnType<typeof subscriptionDocuments>;

/** A refusal about the request itself, in the shape the error boundary reports as `BAD_USER_INPUT`. */
export function refusal(
  message: string,
  code: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * A change carries one item: listing the owner's items on every change would turn each write
 * into a Query per subscriber (and cursors need the signing key the publisher does not hold).
 */
const noListingsInSubscriptions: ValidationRule = (context) => ({
  Field(node) {
    if (context.getParentType()?.name === 'User' && node.name.value === 'items') {
      context.reportError(
        new GraphQLError(
          '`User.items` is not available in subscriptions: an event carries the changed item; ' +
            'list items with a query over HTTP.',
          { nodes: node },
        ),
      );
    }
  },
});

function withCode(error: GraphQLError, code: string, hideSuggestions = false): GraphQLError {
  const message = hideSuggestions ? error.message.replace(/ Did you mean .*$/, '') : error.message;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

import type { ApolloServerPlugin } from '@apollo/server';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { GraphQLContext } from './context.js';

/**
 * A list field costs its selection once per element it may return: `first` (with the schema's
 * default when omitted, and from variables, which a static count of literals would miss) or
 * the number of `ids`. Everything else costs 1 plus its selection.
 */
const pageSizeEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size =
    typeof args.first === 'number' ? args.first : Array.isArray(args.ids) ? args.ids.length : undefined;
  return size === undefined ? undefined : 1 + childComplexity * Math.max(size, 0);
};

/**
 * The cost of the operation with these variables; undefined when the variables do not fit the
 * operation: graphql refuses them itself when it executes, with its own message, as it would
 * without this limit (nothing of a refused operation runs either way).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number | undefined {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName,
      estimators: [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // graphql-js words every variable coercion error so (`Variable "$i" got invalid value ...`);
    // read by message, not by class, since the library may load its own copy of graphql.
    if (error instanceof Error && error.message.startsWith('Variable "$')) return undefined;
    throw error;
  }
}

/** Refused before any resolver runs: a 400, `BAD_USER_INPUT` once the error boundary maps it. */
export function costLimitError(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(`Query cost ${cost} is over the limit of ${maxCost}`, {
    // The error boundary reports request errors as BAD_USER_INPUT with this code as the reason.
    extensions: { code: 'QUERY_COST_LIMIT', cost, maxCost, http: { status: 400 } },
  });
}

/** Refuses an operation whose cost is over `maxCost` once its variables are known (Apollo's `didResolveOperation`). */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          const cost = operationCost(schema, document, request.variables, operationName ?? undefined);
          if (cost !== undefined && cost > maxCost) throw costLimitError(cost, maxCost);
        },
      };
    },
  };
}

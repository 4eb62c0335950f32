import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
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
 * Refuses an operation whose cost is over `maxCost` once its variables are known (Apollo's
 * `didResolveOperation`), before any resolver runs: a 400, `BAD_USER_INPUT` once errors.ts maps it.
 */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          const cost = getComplexity({
            schema,
            query: document,
            variables: request.variables ?? {},
            operationName: operationName ?? undefined,
            estimators: [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > maxCost) {
            throw new GraphQLError(`Query cost ${cost} is over the limit of ${maxCost}`, {
              // errors.ts reports request errors as BAD_USER_INPUT with this code as the reason.
              extensions: {
                code: 'QUERY_COST_LIMIT',
                cost,
                maxCost,
                http: { status: 400 },
              },
            });
          }
        },
      };
    },
  };
}

import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LIST_LIMIT_DEFAULT } from '../domain/input-rules.js';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { GraphQLContext } from './context.js';

/**
 * A list field costs its selection once per element it may return: `first` (with the schema's
 * default when omitted, the service's default when `null`, and from variables, which a static
 * count of literals would miss) or the number of `ids`. Everything else costs 1 plus its
 * selection.
 */
const pageSizeEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const pages = field.args.some((arg) => arg.name === 'first');
  const size = pages
    ? typeof args.first === 'number'
      ? args.first
      : LIST_LIMIT_DEFAULT
    : Array.isArray(args.ids)
      ? args.ids.length
      : undefined;
  return size === undefined ? undefined : 1 + childComplexity * Math.max(size, 0);
};

/**
 * The cost of the operation with these variables; undefined when the variables do not fit the
 * operation: graphql refuses them itself when it executes, with its own message, as it would
 * without this limit (nothing of a refused operation runs either way).
 */
function operationCost(
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

/** Costs already computed, per document (Apollo hands the same object for the same query text). */
const knownCosts = new WeakMap<
  DocumentNode,
  { readonly inputs: readonly string[]; readonly costs: Map<string, number | undefined> }
>();
const MAX_COSTS_PER_DOCUMENT = 64;

/**
 * `operationCost`, computed once per document and the values of the variables it depends on:
 * those that feed a page size (`first`, `ids`: by their length) or a directive (`@include`,
 * `@skip`). The same query with another item id costs what it cost before, without a walk.
 */
export function cachedOperationCost(...args: Parameters<typeof operationCost>): number | undefined {
  const [, document, variables, operationName] = args;
  let known = knownCosts.get(document);
  if (!known) {
    known = { inputs: costInputs(document), costs: new Map() };
    knownCosts.set(document, known);
  }
  const key = JSON.stringify([
    operationName ?? null,
    ...known.inputs.map((name) => {
      if (!variables || !(name in variables)) return { missing: true };
      const value = variables[name];
      return Array.isArray(value) ? { length: value.length } : value;
    }),
  ]);
  if (known.costs.has(key)) return known.costs.get(key);
  if (known.costs.size >= MAX_COSTS_PER_DOCUMENT) known.costs.clear();
  const cost = operationCost(...args);
  known.costs.set(key, cost);
  return cost;
}

/** The variables a document's cost depends on (see `cachedOperationCost`). */
function costInputs(document: DocumentNode): string[] {
  const names = new Set<string>();
  let depth = 0;
  visit(document, {
    Argument: {
      enter: (node) => void (['first', 'ids'].includes(node.name.value) && depth++),
      leave: (node) => void (['first', 'ids'].includes(node.name.value) && depth--),
    },
    Directive: { enter: () => void depth++, leave: () => void depth-- },
    Variable: (node) => {
      if (depth > 0) names.add(node.name.value);
    },
  });
  return [...names].sort();
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
          const cost = cachedOperationCost(schema, document, request.variables, operationName ?? undefined);
          if (cost !== undefined && cost > maxCost) throw costLimitError(cost, maxCost);
        },
      };
    },
  };
}

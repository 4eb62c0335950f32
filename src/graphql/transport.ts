import { GRAPHQL_PATH } from '../http/paths.js';
import type { Transport } from '../http/transport.js';
import { graphqlErrorResult } from './error-boundary.js';
import type { OperationRunner, OperationRunnerDependencies } from './operation-runner.js';

/**
 * `/graphql`. Apollo and graphql are loaded on the first GraphQL request, not at cold start:
 * a REST request never needs them.
 */
export function createGraphQLTransport(deps: OperationRunnerDependencies): Transport {
  let runner: Promise<OperationRunner> | undefined;
  const load = () =>
    (runner ??= import('./operation-runner.js')
      .then((module) => module.createOperationRunner(deps))
      .catch((error: unknown) => {
        runner = undefined; // the next request tries again
        throw error;
      }));
  return {
    async serve(request, outcome) {
      outcome.route = GRAPHQL_PATH;
      return (await load())(request, outcome);
    },
    fail: (error, request) => graphqlErrorResult(error, request.requestId, deps.logger),
  };
}

import type { ApolloServerPlugin } from '@apollo/server';
import { visit, type OperationDefinitionNode } from 'graphql';
import { isSecretName, redactSecretFields, redactValues } from '../log-redaction.js';
import type { GraphQLContext } from './context.js';

/**
 * The GraphQL side of log redaction: once the operation is known, the values of the variables
 * it uses as secrets — named like one (`$password`), or passed to an argument or input field
 * named like one (`login(input: {password: $p})`) — join the request's secrets, whether the
 * variables came in a POST body or a GET query string.
 */
export function secretVariablesPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, operation }) {
          const variables = request.variables ?? {};
          redactSecretFields(variables);
          if (operation) redactValues([...secretVariables(operation)].map((name) => variables[name]));
        },
      };
    },
  };
}

/**
 * Per operation node: Apollo caches parsed documents, so a client sending the same operation
 * again hands over the same node, and the walk is done once.
 */
const secretsByOperation = new WeakMap<OperationDefinitionNode, ReadonlySet<string>>();

/** The variables an operation passes where a secret goes, or names like one. */
function secretVariables(operation: OperationDefinitionNode): ReadonlySet<string> {
  let names = secretsByOperation.get(operation);
  if (!names) {
    names = findSecretVariables(operation);
    secretsByOperation.set(operation, names);
  }
  return names;
}

function findSecretVariables(operation: OperationDefinitionNode): Set<string> {
  const names = new Set<string>();
  let secretDepth = 0;
  const enter = (name: string) => void (isSecretName(name) && secretDepth++);
  const leave = (name: string) => void (isSecretName(name) && secretDepth--);
  visit(operation, {
    Argument: { enter: (node) => enter(node.name.value), leave: (node) => leave(node.name.value) },
    ObjectField: { enter: (node) => enter(node.name.value), leave: (node) => leave(node.name.value) },
    Variable: (node) => {
      if (secretDepth > 0 || isSecretName(node.name.value)) names.add(node.name.value);
    },
  });
  return names;
}

import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';

/**
 * A subscription sent over HTTP gets a clear 400 instead of graphql-js running its root
 * field once with no change to resolve: subscriptions are served over WebSocket.
 */
export function subscriptionsOverHttpPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'Subscriptions are served over WebSocket (graphql-transport-ws) at this endpoint, not over HTTP',
            { extensions: { code: 'OPERATION_NOT_SUPPORTED', http: { status: 400 } } },
          );
        },
      };
    },
  };
}

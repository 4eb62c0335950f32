import type { GraphQLError } from 'graphql';
import { refusal } from './subscription-document.js';

/** The contract's limits on live subscriptions, the same locally and on AWS. */
export const SUBSCRIPTION_LIMITS = {
  perConnection: 10,
  perUser: 50,
} as const;

export function tooManyOnConnection(): GraphQLError {
  return refusal(
    `At most ${SUBSCRIPTION_LIMITS.perConnection} subscriptions per connection: complete one first`,
    'SUBSCRIPTION_LIMIT',
    { limit: SUBSCRIPTION_LIMITS.perConnection, scope: 'connection' },
  );
}

export function tooManyForUser(): GraphQLError {
  return refusal(
    `At most ${SUBSCRIPTION_LIMITS.perUser} subscriptions per user across connections: complete one first`,
    'SUBSCRIPTION_LIMIT',
    { limit: SUBSCRIPTION_LIMITS.perUser, scope: 'user' },
  );
}

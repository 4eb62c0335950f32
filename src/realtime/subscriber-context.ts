import { randomUUID } from 'node:crypto';
import type { Caller } from '../domain/entities.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { RequestContextFactory } from '../request-context.js';

export interface SubscriberContextOptions {
  /** Logged with anything unexpected and shown with a masked error; a new one by default. */
  readonly requestId?: string;
  readonly itemChanges?: GraphQLContext['itemChanges'];
}

/**
 * The context of one subscription event: fresh loaders and services, as for an HTTP request,
 * with the subscriber as the caller. Its token was checked when the connection was
 * initialised; the event itself carries none.
 */
export type SubscriberContexts = (caller: Caller, options?: SubscriberContextOptions) => GraphQLContext;

export function subscriberContexts(contexts: RequestContextFactory): SubscriberContexts {
  return (caller, options = {}) => {
    const requestId = options.requestId ?? randomUUID();
    const context = contexts({ requestId, header: () => undefined }, {});
    return {
      ...context,
      caller: () => caller,
      ...(options.itemChanges ? { itemChanges: options.itemChanges } : {}),
    };
  };
}

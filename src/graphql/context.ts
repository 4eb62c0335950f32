import type { RequestContext } from '../request-context.js';

/** What every resolver receives: the request context shared with the REST shims. */
export type GraphQLContext = RequestContext;

import type { Item, Page, SignedIn } from '../domain/entities.js';

/**
 * What resolvers return for GraphQL types that are not domain entities themselves
 * (`codegen.ts` maps them), so the generated types check every field resolver against them.
 */

/** A page of the caller's items as the service answers it; edges and pageInfo derive from it. */
export type ItemConnectionSource = Page<Item>;

/** Signing in and refreshing answer the service's result as is. */
export type AuthPayloadSource = SignedIn;

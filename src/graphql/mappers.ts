import type { AccessToken, Item, Page, User } from '../domain/entities.js';

/**
 * What resolvers return for GraphQL types that are not domain entities themselves
 * (`codegen.ts` maps them), so the generated types check every field resolver against them.
 */

/** A page of the caller's items as the service answers it; edges and pageInfo derive from it. */
export type ItemConnectionSource = Page<Item>;

/** `register` and `login` answer the service's result as is. */
export interface AuthPayloadSource {
  readonly user: User;
  readonly token: AccessToken;
}

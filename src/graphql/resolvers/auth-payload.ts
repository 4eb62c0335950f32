import type { AuthPayloadResolvers } from '../__generated__/resolvers-types.js';

/** Flattens the service's `{ user, token }` into the token's fields beside the user. */
export const AuthPayload: AuthPayloadResolvers = {
  accessToken: ({ token }) => token.accessToken,
  tokenType: ({ token }) => token.tokenType,
  expiresAt: ({ token }) => token.expiresAt,
};

import type { AuthPayloadResolvers } from '../__generated__/resolvers-types.js';

/** Flattens the service's `{ user, token }` into the tokens' fields beside the user. */
export const AuthPayload: AuthPayloadResolvers = {
  accessToken: ({ token }) => token.accessToken,
  tokenType: ({ token }) => token.tokenType,
  expiresAt: ({ token }) => token.expiresAt,
  refreshToken: ({ token }) => token.refreshToken,
  refreshTokenExpiresAt: ({ token }) => token.refreshExpiresAt,
};

import { bearerToken, type Authenticator } from '../auth/tokens.js';
import type { Caller } from '../domain/entities.js';
import { UnauthenticatedError } from '../domain/errors.js';

/** graphql-transport-ws close codes for a refused `connection_init` (graphql-ws `CloseCode`). */
export const UNAUTHORIZED_CLOSE = 4401;
export const FORBIDDEN_CLOSE = 4403;

export type ConnectionAuthentication =
  | { readonly ok: true; readonly caller: Caller; readonly expiresAtMs: number }
  | {
      readonly ok: false;
      /** 4401 when no token was sent, 4403 when the one sent is refused. */
      readonly closeCode: typeof UNAUTHORIZED_CLOSE | typeof FORBIDDEN_CLOSE;
      readonly reason: string;
    };

/**
 * The caller of a WebSocket connection, from its `connection_init` payload: the headers a
 * GraphQL IDE sends, `{"Authorization": "Bearer <token>"}` (the name in any case). The token is
 * checked as on every HTTP request; its expiry is kept, since a connection outlives a request.
 */
export function authenticateConnection(tokens: Authenticator, payload: unknown): ConnectionAuthentication {
  const token = bearerToken(authorizationOf(payload));
  if (!token) {
    return {
      ok: false,
      closeCode: UNAUTHORIZED_CLOSE,
      reason: 'Unauthorized: send {"Authorization": "Bearer <token>"} in connection_init',
    };
  }
  try {
    const { caller, expiresAtMs } = tokens.authenticateUntil(token);
    return { ok: true, caller, expiresAtMs };
  } catch (error) {
    if (!(error instanceof UnauthenticatedError)) throw error;
    return { ok: false, closeCode: FORBIDDEN_CLOSE, reason: `Forbidden: ${error.message}` };
  }
}

function authorizationOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  for (const [name, value] of Object.entries(payload)) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}

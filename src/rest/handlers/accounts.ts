import type { AccessToken, User } from '../../domain/entities.js';
import { jsonResponse } from '../../http/responses.js';
import { bodyOf } from '../request-input.js';
import type { RestCall } from '../routes.js';

export async function register({ request, context }: RestCall) {
  const { token } = await context.services.accounts.register(bodyOf(request));
  return jsonResponse(201, tokenBody(token));
}

/** JSON, or the OAuth2 password form that FastAPI's `OAuth2PasswordRequestForm` clients send. */
export async function login({ request, context }: RestCall) {
  const { token } = await context.services.accounts.login(bodyOf(request, ['json', 'form']));
  return jsonResponse(200, tokenBody(token));
}

export async function me({ context }: RestCall) {
  const user = await context.services.accounts.me(context.caller());
  return jsonResponse(200, profileBody(user));
}

/** The legacy profile endpoint's greeting. */
export async function welcome({ context }: RestCall) {
  const user = await context.services.accounts.me(context.caller());
  return jsonResponse(200, { message: `Welcome ${user.username}!` });
}

function tokenBody(token: AccessToken) {
  return { access_token: token.accessToken, token_type: token.tokenType, expires_at: token.expiresAt };
}

function profileBody(user: User) {
  return { id: user.id, username: user.username, created_at: user.createdAt };
}

import type { AccessToken, User } from '../../domain/entities.js';
import { parseBody } from '../../http/body.js';
import { jsonResponse } from '../../http/responses.js';
import type { RestRequest } from '../rest-request.js';
import { LoginRequest, RegisterRequest } from '../schemas.js';
import { bodyValue, parseInput } from '../validation.js';

export async function register({ event, context }: RestRequest) {
  const input = parseInput(RegisterRequest, bodyValue(parseBody(event, ['json'])), 'body');
  const { token } = await context.services.accounts.register(input);
  return jsonResponse(201, tokenBody(token));
}

/** JSON, or the OAuth2 password form that FastAPI's `OAuth2PasswordRequestForm` clients send. */
export async function login({ event, context }: RestRequest) {
  const input = parseInput(LoginRequest, bodyValue(parseBody(event, ['json', 'form'])), 'body');
  const { token } = await context.services.accounts.login(input);
  return jsonResponse(200, tokenBody(token));
}

export async function me({ context }: RestRequest) {
  const user = await context.services.accounts.me(context.caller());
  return jsonResponse(200, profileBody(user));
}

/** The legacy profile endpoint's greeting. */
export async function welcome({ context }: RestRequest) {
  const user = await context.services.accounts.me(context.caller());
  return jsonResponse(200, { message: `Welcome ${user.username}!` });
}

function tokenBody(token: AccessToken) {
  return { access_token: token.accessToken, token_type: token.tokenType, expires_at: token.expiresAt };
}

function profileBody(user: User) {
  return { id: user.id, username: user.username, created_at: user.createdAt };
}

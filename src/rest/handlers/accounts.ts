import type { SignedIn, User } from '../../domain/entities.js';
import type { ApiResult } from '../../http/api-gateway.js';
import { jsonResponse } from '../../http/responses.js';
import { ACCOUNT_FIELDS, bodyOf, renamed } from '../request-input.js';
import type { RestCall } from '../rest-call.js';

export async function register({ request, context }: RestCall) {
  return jsonResponse(201, tokenBody(await context.services.accounts.register(bodyOf(request))));
}

/**
 * JSON, or the OAuth2 form that FastAPI's `OAuth2PasswordRequestForm` clients send: the password
 * grant (the default), or `grant_type=refresh_token&refresh_token=...` as OAuth2 clients refresh.
 */
export async function login({ request, context }: RestCall) {
  const body = bodyOf(request, ['json', 'form']);
  const grant = (body as { grant_type?: unknown } | null)?.grant_type;
  const signedIn =
    grant === 'refresh_token'
      ? await context.services.accounts.refresh(renamed(body, ACCOUNT_FIELDS))
      : await context.services.accounts.login(body);
  return jsonResponse(200, tokenBody(signedIn));
}

export async function refresh({ request, context }: RestCall) {
  const signedIn = await context.services.accounts.refresh(renamed(bodyOf(request), ACCOUNT_FIELDS));
  return jsonResponse(200, tokenBody(signedIn));
}

export async function logout({ request, context }: RestCall) {
  await context.services.accounts.logout(renamed(bodyOf(request), ACCOUNT_FIELDS));
  return noContent();
}

export async function logoutAll({ context }: RestCall) {
  await context.services.accounts.logoutAll(context.caller());
  return noContent();
}

export async function changePassword({ request, context }: RestCall) {
  const caller = context.caller();
  const signedIn = await context.services.accounts.changePassword(
    caller,
    renamed(bodyOf(request), ACCOUNT_FIELDS),
  );
  return jsonResponse(200, tokenBody(signedIn));
}

export async function deleteAccount({ request, context }: RestCall) {
  const caller = context.caller();
  await context.services.accounts.deleteAccount(caller, bodyOf(request));
  return noContent();
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

function tokenBody({ token }: SignedIn) {
  return {
    access_token: token.accessToken,
    token_type: token.tokenType,
    expires_at: token.expiresAt,
    refresh_token: token.refreshToken,
    refresh_expires_at: token.refreshExpiresAt,
  };
}

function profileBody(user: User) {
  return { id: user.id, username: user.username, created_at: user.createdAt };
}

function noContent(): ApiResult {
  return { statusCode: 204, headers: {}, body: '' };
}

import { z } from 'zod';
import {
  BEARER_SECURITY,
  errors,
  etagHeader,
  json,
  jsonBody,
  noContent,
  pickErrors,
  type Headers,
  type OperationDoc,
} from './openapi.js';
import {
  AccountDeletionRequest,
  Health,
  Item,
  ItemCreateRequest,
  ItemList,
  IdempotencyKeyHeader,
  ItemPathParams,
  ItemUpdateRequest,
  ListItemsQueryParams,
  LoginRequest,
  PasswordChangeRequest,
  Profile,
  RefreshTokenGrant,
  RefreshTokenRequest,
  RegisterRequest,
  Token,
  WelcomeMessage,
} from './schemas.js';

/** The OpenAPI description of each operation; the route table (routes.ts) pairs them with paths and handlers. */

const ifMatch = z.object({
  'if-match': z.string().optional().meta({
    description: 'An ETag (`"3"`) from an earlier response: the write happens only if it is current',
  }),
});

const idempotencyKey = z.object({ 'idempotency-key': IdempotencyKeyHeader.optional() });

const location: Headers = {
  Location: {
    description: 'Where the new item can be read (relative to the request URL)',
    required: true,
    schema: { type: 'string' },
  },
};
const link: Headers = {
  Link: {
    description: 'Present when more items exist: `<?limit=…&cursor=…>; rel="next"`',
    required: false,
    schema: { type: 'string' },
  },
};

const authenticated = { security: BEARER_SECURITY } as const;

export const operationDocs = {
  health: {
    operationId: 'health',
    summary: 'Health check (no database call)',
    tags: ['health'],
    responses: { 200: json('The service is up', Health), ...pickErrors(500) },
  },
  openApi: {
    operationId: 'openApi',
    summary: 'This document',
    tags: ['health'],
    responses: { 200: json('OpenAPI 3.1', z.looseObject({ openapi: z.string() })), ...pickErrors(500) },
  },
  register: {
    operationId: 'register',
    summary: 'Create an account and get a token',
    description: 'Usernames are unique case-insensitively. Unknown fields (e.g. `email`) are ignored.',
    tags: ['users'],
    request: { body: jsonBody(RegisterRequest) },
    responses: {
      201: json('Registered; the token is ready to use', Token),
      400: {
        ...errors[400],
        description: 'The username is taken: `{"detail": "Username already registered"}`',
      },
      ...pickErrors(413, 422, 500, 503),
    },
  },
  login: {
    operationId: 'login',
    summary: 'Exchange credentials (or a refresh token) for tokens',
    description:
      'Accepts JSON, or the OAuth2 forms (`application/x-www-form-urlencoded`): the password grant, and ' +
      '`grant_type=refresh_token&refresh_token=...` as OAuth2 clients refresh (the same as `POST /user/token/refresh`). ' +
      'After 5 failed password checks for one username in 15 minutes, 429 until the window ends.',
    tags: ['users'],
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: z.union([LoginRequest, RefreshTokenGrant]) },
          'application/x-www-form-urlencoded': { schema: z.union([LoginRequest, RefreshTokenGrant]) },
        },
      },
    },
    responses: {
      200: json('Fresh tokens', Token),
      ...pickErrors(401, 413, 422, 429, 500, 503),
    },
  },
  refresh: {
    operationId: 'refreshToken',
    summary: 'Trade a refresh token for new tokens',
    description:
      'The refresh token presented stops working (it rotates). Presenting one that was already traded is ' +
      'taken for theft: its whole sign-in is revoked (every token rotated from it), and the answer is 401.',
    tags: ['users'],
    request: { body: jsonBody(RefreshTokenRequest) },
    responses: { 200: json('Fresh tokens', Token), ...pickErrors(401, 413, 422, 500, 503) },
  },
  logout: {
    operationId: 'logout',
    summary: 'Sign this device out',
    description:
      "Revokes the refresh token's sign-in. Access tokens already issued stay valid until they expire.",
    tags: ['users'],
    request: { body: jsonBody(RefreshTokenRequest) },
    responses: { 204: noContent('Signed out'), ...pickErrors(401, 413, 422, 500, 503) },
  },
  logoutAll: {
    operationId: 'logoutAll',
    summary: 'Sign every device out',
    description:
      'Every refresh token of the caller stops working; access tokens already issued stay valid until they expire.',
    tags: ['users'],
    ...authenticated,
    responses: { 204: noContent('Signed out everywhere'), ...pickErrors(401, 404, 500, 503) },
  },
  changePassword: {
    operationId: 'changePassword',
    summary: 'Change the password',
    description:
      'The current password is checked like a login (429 after too many failures); every sign-in is revoked ' +
      'and new tokens are answered for this one.',
    tags: ['users'],
    ...authenticated,
    request: { body: jsonBody(PasswordChangeRequest) },
    responses: { 200: json('New tokens', Token), ...pickErrors(401, 404, 413, 422, 429, 500, 503) },
  },
  deleteAccount: {
    operationId: 'deleteAccount',
    summary: 'Delete the account',
    description:
      'Deletes every item, every sign-in, the account and then its name (which becomes free). The password ' +
      'is checked like a login. An interrupted deletion completes when the request is sent again; sending it ' +
      'again after it completed answers 204 too.',
    tags: ['users'],
    ...authenticated,
    request: { body: jsonBody(AccountDeletionRequest) },
    responses: { 204: noContent('Deleted'), ...pickErrors(401, 404, 413, 422, 429, 500, 503) },
  },
  me: {
    operationId: 'getProfile',
    summary: "The caller's profile",
    tags: ['users'],
    ...authenticated,
    // 404: the token still verifies (no call), but its account was deleted meanwhile.
    responses: { 200: json('The caller', Profile), ...pickErrors(401, 404, 500, 503) },
  },
  welcome: {
    operationId: 'getWelcomeMessage',
    summary: 'A greeting for the caller (the legacy profile endpoint)',
    tags: ['legacy'],
    ...authenticated,
    responses: {
      200: json('`{"message": "Welcome <username>!"}`', WelcomeMessage),
      ...pickErrors(401, 404, 500, 503),
    },
  },
  listItems: {
    operationId: 'listItems',
    summary: "The caller's items, newest first",
    tags: ['items'],
    ...authenticated,
    request: { query: ListItemsQueryParams },
    responses: {
      200: json('Up to `limit` items; `[]` when there are none', ItemList, link),
      ...pickErrors(401, 422, 500, 503),
    },
  },
  createItem: {
    operationId: 'createItem',
    summary: 'Create an item',
    tags: ['items'],
    ...authenticated,
    request: { headers: idempotencyKey, body: jsonBody(ItemCreateRequest) },
    responses: {
      201: json('Created', Item, { ...etagHeader, ...location }),
      ...pickErrors(401, 413, 422, 500, 503),
    },
  },
  createItemLegacy: {
    operationId: 'createItemLegacy',
    summary: 'Create an item (legacy: answers 200)',
    tags: ['legacy'],
    ...authenticated,
    request: { headers: idempotencyKey, body: jsonBody(ItemCreateRequest) },
    responses: { 200: json('Created', Item, etagHeader), ...pickErrors(401, 413, 422, 500, 503) },
  },
  getItem: {
    operationId: 'getItem',
    summary: 'Read one item',
    tags: ['items'],
    ...authenticated,
    request: { params: ItemPathParams },
    responses: { 200: json('The item', Item, etagHeader), ...pickErrors(401, 404, 422, 500, 503) },
  },
  updateItem: {
    operationId: 'updateItem',
    summary: 'Update an item’s name and/or description',
    description:
      'At least one field; `null` is refused. With `If-Match`, a stale version gets 412 and nothing changes.',
    tags: ['items'],
    ...authenticated,
    request: { params: ItemPathParams, headers: ifMatch, body: jsonBody(ItemUpdateRequest) },
    responses: {
      200: json('The updated item', Item, etagHeader),
      ...pickErrors(401, 404, 412, 413, 422, 500, 503),
    },
  },
  deleteItem: {
    operationId: 'deleteItem',
    summary: 'Delete an item',
    description: 'With `If-Match`, a stale version gets 412 and nothing changes.',
    tags: ['items'],
    ...authenticated,
    request: { params: ItemPathParams, headers: ifMatch },
    responses: { 204: noContent('Deleted (no body)'), ...pickErrors(401, 404, 412, 422, 500, 503) },
  },
} satisfies Record<string, OperationDoc>;

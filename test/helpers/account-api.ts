import type { GraphQLClient, GraphQLErrorBody, GraphQLResponse } from './graphql.js';
import type { RestClient, RestResponse } from './rest-client.js';

/** What signing in (or refreshing, or changing the password) answers, in either API's words. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: string;
  readonly refreshExpiresAt: string;
}

/** A refusal, read the same way from a REST status and from a GraphQL error code. */
export interface Refusal {
  /** The contract's meaning, the same through both APIs. */
  readonly kind: RefusalKind;
  /** REST `detail`, or the GraphQL error's message. */
  readonly message: string;
  /** `Retry-After` in seconds, when the answer carried that header (both APIs send it). */
  readonly retryAfter: number | undefined;
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The GraphQL error itself (its extensions), for the checks only GraphQL has. */
  readonly graphqlError?: GraphQLErrorBody;
}

export type RefusalKind =
  'unauthenticated' | 'rate_limited' | 'not_found' | 'invalid' | 'conflict' | 'unavailable' | 'unexpected';

export type Answer<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

export type TransportName = 'REST' | 'GraphQL';
export const TRANSPORTS: readonly TransportName[] = ['REST', 'GraphQL'];

/** The account operations of issue 14, as a client of one API calls them. */
export interface AccountApi {
  readonly transport: TransportName;
  register(username: string, password: string): Promise<Answer<TokenPair>>;
  login(username: string, password: string): Promise<Answer<TokenPair>>;
  refresh(refreshToken: string): Promise<Answer<TokenPair>>;
  logout(refreshToken: string): Promise<Answer<true>>;
  logoutAll(accessToken: string): Promise<Answer<true>>;
  changePassword(accessToken: string, current: string, next: string): Promise<Answer<TokenPair>>;
  deleteAccount(accessToken: string, password: string): Promise<Answer<true>>;
  /** The caller's profile: proves an access token authenticates. */
  me(accessToken: string): Promise<Answer<{ id: string; username: string }>>;
}

/** The pair an answer carries, or an error saying what came back instead (for Prepare steps). */
export function pairOf(answer: Answer<TokenPair>): TokenPair {
  if (!answer.ok) throw new Error(`expected tokens, got ${describe(answer.refusal)}`);
  return answer.value;
}

/** The refusal an answer carries, or an error saying it succeeded. */
export function refusalOf(answer: Answer<unknown>): Refusal {
  if (answer.ok) throw new Error(`expected a refusal, got ${JSON.stringify(answer.value)}`);
  return answer.refusal;
}

/** `kind` of a refusal, or `ok`: one value that reads well in `expect(...).toEqual([...])`. */
export function outcome(answer: Answer<unknown>): 'ok' | RefusalKind {
  return answer.ok ? 'ok' : answer.refusal.kind;
}

function describe(refusal: Refusal): string {
  return `${refusal.status} ${refusal.kind}: ${refusal.message}`;
}

// --- REST -------------------------------------------------------------------------------------

const REST_KINDS: Record<number, RefusalKind> = {
  400: 'conflict',
  401: 'unauthenticated',
  404: 'not_found',
  422: 'invalid',
  429: 'rate_limited',
  503: 'unavailable',
};

/** The REST API through the client that checks every answer against `/openapi.json`. */
export function restAccountApi(client: RestClient): AccountApi {
  const tokens = async (response: Promise<RestResponse>, status: number) =>
    restAnswer(await response, status, tokenPairOf);
  const done = async (response: Promise<RestResponse>) =>
    restAnswer(await response, 204, () => true as const);
  const post = (path: string, json: unknown, token?: string) =>
    client.request('POST', path, { json, ...(token ? { token } : {}) });
  return {
    transport: 'REST',
    register: (username, password) => tokens(post('/user/register', { username, password }), 201),
    login: (username, password) => tokens(post('/user/login', { username, password }), 200),
    refresh: (refreshToken) => tokens(post('/user/token/refresh', { refresh_token: refreshToken }), 200),
    logout: (refreshToken) => done(post('/user/logout', { refresh_token: refreshToken })),
    logoutAll: (accessToken) => done(post('/user/logout-all', undefined, accessToken)),
    changePassword: (accessToken, current, next) =>
      tokens(post('/user/password', { current_password: current, new_password: next }, accessToken), 200),
    deleteAccount: (accessToken, password) =>
      done(client.request('DELETE', '/user/me', { token: accessToken, json: { password } })),
    me: async (accessToken) =>
      restAnswer(await client.request('GET', '/user/me', { token: accessToken }), 200, (body) => {
        const { id, username } = body as { id: string; username: string };
        return { id, username };
      }),
  };
}

/** An answer with the `status` expected, read by `read`; any other status is a refusal. */
export function restAnswer<T>(response: RestResponse, status: number, read: (body: unknown) => T): Answer<T> {
  if (response.status !== status) return { ok: false, refusal: restRefusal(response) };
  return { ok: true, value: read(response.body) };
}

/** A REST token body (`access_token`, `refresh_token`, ...) as a pair. */
export function tokenPairOf(body: unknown): TokenPair {
  const token = body as {
    access_token: string;
    refresh_token: string;
    expires_at: string;
    refresh_expires_at: string;
  };
  return {
    accessToken: token.access_token,
    refreshToken: token.refresh_token,
    expiresAt: token.expires_at,
    refreshExpiresAt: token.refresh_expires_at,
  };
}

function restRefusal(response: RestResponse): Refusal {
  const headers = Object.fromEntries(response.headers.entries());
  const detail = (response.body as { detail?: unknown } | undefined)?.detail;
  return {
    kind: REST_KINDS[response.status] ?? 'unexpected',
    message: typeof detail === 'string' ? detail : JSON.stringify(detail),
    retryAfter: retryAfterOf(headers),
    status: response.status,
    headers,
  };
}

// --- GraphQL ----------------------------------------------------------------------------------

const PAIR_FIELDS = 'accessToken tokenType expiresAt refreshToken refreshTokenExpiresAt user { id username }';

interface PayloadBody {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: string;
  readonly refreshTokenExpiresAt: string;
}

const GRAPHQL_KINDS: Record<string, RefusalKind> = {
  UNAUTHENTICATED: 'unauthenticated',
  NOT_FOUND: 'not_found',
  BAD_USER_INPUT: 'invalid',
  CONFLICT: 'conflict',
  SERVICE_UNAVAILABLE: 'unavailable',
};

/** The GraphQL API: each operation as the mutation (or query) a client would send. */
export function graphqlAccountApi(graphql: GraphQLClient): AccountApi {
  const call = async <T>(
    field: string,
    document: string,
    options: { variables?: Record<string, unknown>; token?: string },
  ): Promise<Answer<T>> => {
    const response = await graphql<Record<string, T>>(document, options);
    const value = response.body.data?.[field];
    const error = response.body.errors?.[0];
    if (error || value === undefined || value === null)
      return { ok: false, refusal: graphqlRefusal(response) };
    return { ok: true, value };
  };
  const pair = async (
    field: string,
    document: string,
    options: { variables?: Record<string, unknown>; token?: string },
  ): Promise<Answer<TokenPair>> => {
    const answer = await call<PayloadBody>(field, document, options);
    if (!answer.ok) return answer;
    const { accessToken, refreshToken, expiresAt, refreshTokenExpiresAt } = answer.value;
    return {
      ok: true,
      value: { accessToken, refreshToken, expiresAt, refreshExpiresAt: refreshTokenExpiresAt },
    };
  };
  return {
    transport: 'GraphQL',
    register: (username, password) =>
      pair('register', `mutation ($input: RegisterInput!) { register(input: $input) { ${PAIR_FIELDS} } }`, {
        variables: { input: { username, password } },
      }),
    login: (username, password) =>
      pair('login', `mutation ($input: LoginInput!) { login(input: $input) { ${PAIR_FIELDS} } }`, {
        variables: { input: { username, password } },
      }),
    refresh: (refreshToken) =>
      pair(
        'refreshToken',
        `mutation ($input: RefreshTokenInput!) { refreshToken(input: $input) { ${PAIR_FIELDS} } }`,
        { variables: { input: { refreshToken } } },
      ),
    logout: (refreshToken) =>
      call<true>('logout', 'mutation ($input: RefreshTokenInput!) { logout(input: $input) }', {
        variables: { input: { refreshToken } },
      }),
    logoutAll: (accessToken) => call<true>('logoutAll', 'mutation { logoutAll }', { token: accessToken }),
    changePassword: (accessToken, currentPassword, newPassword) =>
      pair(
        'changePassword',
        `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { ${PAIR_FIELDS} } }`,
        { variables: { input: { currentPassword, newPassword } }, token: accessToken },
      ),
    deleteAccount: (accessToken, password) =>
      call<true>('deleteAccount', 'mutation ($input: DeleteAccountInput!) { deleteAccount(input: $input) }', {
        variables: { input: { password } },
        token: accessToken,
      }),
    me: (accessToken) => call('me', '{ me { id username } }', { token: accessToken }),
  };
}

function graphqlRefusal(response: GraphQLResponse<unknown>): Refusal {
  const error = response.body.errors?.[0];
  const code = error?.extensions?.code ?? '';
  const throttled = code === 'UNAUTHENTICATED' && error?.extensions?.reason === 'TOO_MANY_FAILED_ATTEMPTS';
  return {
    kind: throttled ? 'rate_limited' : (GRAPHQL_KINDS[code] ?? 'unexpected'),
    message: error?.message ?? JSON.stringify(response.body),
    retryAfter: retryAfterOf(response.headers),
    status: response.status,
    headers: response.headers,
    ...(error ? { graphqlError: error } : {}),
  };
}

function retryAfterOf(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['retry-after'];
  return value === undefined ? undefined : Number(value);
}

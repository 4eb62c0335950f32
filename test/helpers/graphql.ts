import type { ApiHandler } from '../../src/http/api-gateway.js';
import { apiGatewayEvent, lambdaContext } from './api-gateway-events.js';

/** One error of a GraphQL response, as clients read it. */
export interface GraphQLErrorBody {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string } & Record<string, unknown>;
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: { readonly data?: TData | null; readonly errors?: readonly GraphQLErrorBody[] };
}

export interface GraphQLRequestOptions {
  readonly variables?: Record<string, unknown>;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** Sends one GraphQL operation: over HTTP to a running server, or straight into the handler. */
export type GraphQLClient = <TData = Record<string, unknown>>(
  query: string,
  options?: GraphQLRequestOptions,
) => Promise<GraphQLResponse<TData>>;

function requestHeaders(options: GraphQLRequestOptions): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
}

/** POST /graphql on a real server (the local server: node:http → proxy event → handler). */
export function graphqlOverHttp(baseUrl: string): GraphQLClient {
  return async (query, options = {}) => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: requestHeaders(options),
      body: JSON.stringify({ query, variables: options.variables }),
    });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: (await response.json()) as GraphQLResponse<never>['body'],
    };
  };
}

/** POST /graphql as an API Gateway proxy event into the Lambda handler. */
export function graphqlThroughHandler(handler: ApiHandler): GraphQLClient {
  return async (query, options = {}) => {
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/graphql',
      headers: requestHeaders(options),
      body: { query, variables: options.variables },
    });
    const result = await handler(event, lambdaContext());
    return {
      status: result.statusCode,
      headers: Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
      body: JSON.parse(result.body) as GraphQLResponse<never>['body'],
    };
  };
}

export interface SignedUpUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

let userCounter = 0;

/** Registers a fresh account through the GraphQL API and returns its id and token. */
export async function signUp(graphql: GraphQLClient, username?: string): Promise<SignedUpUser> {
  const name = username ?? `user_${process.pid}_${Date.now().toString(36)}_${++userCounter}`;
  const { body } = await graphql<{
    register: { accessToken: string; user: { id: string; username: string } };
  }>(
    `
      mutation Register($input: RegisterInput!) {
        register(input: $input) {
          accessToken
          user {
            id
            username
          }
        }
      }
    `,
    { variables: { input: { username: name, password: 'correct horse battery' } } },
  );
  if (!body.data?.register) throw new Error(`signUp failed: ${JSON.stringify(body.errors)}`);
  const { accessToken, user } = body.data.register;
  return { id: user.id, username: user.username, token: accessToken };
}

export interface CreatedItem {
  readonly id: string;
  readonly name: string;
  readonly version: number;
}

/** Creates items for `owner`, one after another (so they are ordered by creation time). */
export async function createItems(
  graphql: GraphQLClient,
  owner: SignedUpUser,
  names: readonly string[],
): Promise<CreatedItem[]> {
  const created: CreatedItem[] = [];
  for (const name of names) {
    const { body } = await graphql<{ createItem: CreatedItem }>(
      'mutation Create($input: CreateItemInput!) { createItem(input: $input) { id name version } }',
      { variables: { input: { name } }, token: owner.token },
    );
    if (!body.data?.createItem) throw new Error(`createItem failed: ${JSON.stringify(body.errors)}`);
    created.push(body.data.createItem);
  }
  return created;
}

/** The codes of a response's errors, in order. */
export function errorCodes(response: GraphQLResponse<unknown>): (string | undefined)[] {
  return (response.body.errors ?? []).map((e) => e.extensions?.code);
}

/** Apollo's own codes of request errors, which the contract's `BAD_USER_INPUT` keeps as `reason`. */
export function errorReasons(response: GraphQLResponse<unknown>): (string | undefined)[] {
  return (response.body.errors ?? []).map((e) => e.extensions?.reason as string | undefined);
}

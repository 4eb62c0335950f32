import { buildSchema, getOperationAST, getVariableValues, parse, type GraphQLSchema } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { apiGatewayEvent, lambdaContext } from '../helpers/api-gateway-events.js';
import { awsError, injectFault, recordCalls, type CallRecorder } from '../helpers/dynamodb-recorder.js';
import {
  errorCodes,
  graphqlThroughHandler,
  signUp,
  type GraphQLClient,
  type SignedUpUser,
} from '../helpers/graphql.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

const LOGIN = 'mutation Login($i: LoginInput!) { login(input: $i) { accessToken } }';
const REGISTER = 'mutation Register($i: RegisterInput!) { register(input: $i) { accessToken } }';
const FIRST_ITEMS = 'query Page($n: Int) { items(first: $n) { edges { cursor } } }';
const GUARDED_DELETE = 'mutation Delete($id: ID!, $v: Int) { deleteItem(id: $id, expectedVersion: $v) }';

/** What graphql-js itself says about these variables for this operation. */
function graphqlJsMessages(
  schema: GraphQLSchema,
  query: string,
  variables: Record<string, unknown>,
): string[] {
  const operation = getOperationAST(parse(query));
  if (!operation) throw new Error('no operation');
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  return (coerced.errors ?? []).map((error) => error.message);
}

/** `{"__proto__": ...}` as JSON.parse reads it: an own property, as a client's body carries it. */
const withProtoKey = (json: string) => JSON.parse(json) as Record<string, unknown>;

/**
 * Issue 15.1: variables that do not fit the operation are the client's bad input (400
 * BAD_USER_INPUT with graphql's own message), never a 500; and no log line ever carries the
 * value of a variable named like a secret, whatever the error path.
 */
describe('GraphQL variables that do not fit the operation', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let schema: GraphQLSchema;
  let recorder: CallRecorder;

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    schema = buildSchema(typeDefs);
    recorder = recordCalls(app.client);
  });
  afterAll(() => app.stop());
  beforeEach(() => recorder.reset());

  it.each<[string, string, Record<string, unknown>]>([
    ['an unknown input field', LOGIN, { i: { username: 'u', password: 'secret1', extra: 1 } }],
    ['a value of the wrong type', LOGIN, { i: { username: 5, password: 'secret1' } }],
    ['an input object given as a string', LOGIN, { i: 'username=u&password=secret1' }],
    ['a missing required field', LOGIN, { i: { username: 'u' } }],
    ['a null required field', LOGIN, { i: { username: 'u', password: null } }],
    ['a missing required variable', LOGIN, {}],
    ['a null required variable', LOGIN, { i: null }],
    ['an Int over 32 bits in a page size', FIRST_ITEMS, { n: 2 ** 31 }],
    ['an Int over 32 bits in an expected version', GUARDED_DELETE, { id: 'x', v: 2 ** 40 }],
    ['a fractional Int', FIRST_ITEMS, { n: 2.5 }],
    [
      'a __proto__ key in an input object',
      LOGIN,
      withProtoKey('{"i": {"__proto__": {"admin": true}, "username": "u", "password": "secret1"}}'),
    ],
    ['a __proto__ key beside the variables', LOGIN, withProtoKey('{"__proto__": {"i": {"username": "u"}}}')],
  ])(
    'answers %s with 400 BAD_USER_INPUT and graphql’s own message, running nothing',
    async (_what, query, variables) => {
      // Prepare
      const expected = graphqlJsMessages(schema, query, variables);

      // Act
      const response = await graphql(query, { variables });

      // Assess
      expect(expected.length).toBeGreaterThan(0);
      expect(response.status).toBe(400);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors?.map((error) => error.message)).toEqual(expected);
      expect(new Set(errorCodes(response))).toEqual(new Set(['BAD_USER_INPUT']));
      expect(recorder.operations()).toEqual([]);
    },
  );
});

describe('Secret-named GraphQL variables never reach a log line', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let user: SignedUpUser;
  let removeFault: (() => void) | undefined;
  let requestCounter = 0;

  beforeAll(async () => {
    // Every level, so that no line of any kind escapes the check.
    app = await createTestHandler({ LOG_LEVEL: 'debug' });
    graphql = graphqlThroughHandler(app.handler);
    user = await signUp(graphql);
  });
  afterAll(() => app.stop());
  afterEach(() => {
    removeFault?.();
    removeFault = undefined;
  });

  /** A secret no other text contains, with a quote and a backslash to escape in JSON. */
  const newSecret = () => `pa"ss\\${process.pid}-${Date.now().toString(36)}-${++requestCounter}-wörd`;
  /** The log lines written for one request, read as the raw JSON text a log store would hold. */
  const linesOf = (requestId: string) => {
    const lines = app.logs.filter((line) => line.requestId === requestId || line.requestId === undefined);
    return lines.map((line) => JSON.stringify(line));
  };
  const expectNowhere = (secret: string, lines: string[]) => {
    const escaped = JSON.stringify(secret).slice(1, -1);
    expect(lines.filter((line) => line.includes(escaped) || line.includes(secret))).toEqual([]);
  };
  /** An unexpected DynamoDB error whose message carries `secret`, as a library echoing its input would. */
  const echoingFault = (secret: string) =>
    injectFault(app.client, () =>
      Object.assign(awsError('AccessDeniedException'), { message: `not authorized for request ${secret}` }),
    );

  it('when the variables do not fit the operation', async () => {
    // Prepare
    const secret = newSecret();
    const requestId = `bad-variables-${requestCounter}`;

    // Act
    const response = await graphql(LOGIN, {
      variables: { i: { username: 'u', password: secret, extra: 1 } },
      headers: { 'x-request-id': requestId },
    });

    // Assess
    expect(response.status).toBe(400);
    expect(linesOf(requestId).length).toBeGreaterThan(0);
    expectNowhere(secret, linesOf(requestId));
  });

  it('when an unexpected database error carrying the password is logged during login', async () => {
    // Prepare
    const secret = newSecret();
    const requestId = `login-fault-${requestCounter}`;
    removeFault = echoingFault(secret);

    // Act
    const response = await graphql(LOGIN, {
      variables: { i: { username: user.username, password: secret } },
      headers: { 'x-request-id': requestId },
    });

    // Assess
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    const lines = linesOf(requestId);
    expect(lines.some((line) => line.includes('AccessDeniedException'))).toBe(true);
    expectNowhere(secret, lines);
  });

  it('when the input breaks a rule of the domain', async () => {
    // Prepare
    const secret = newSecret();
    const requestId = `invalid-input-${requestCounter}`;

    // Act
    const response = await graphql(REGISTER, {
      variables: { i: { username: 'no spaces allowed', password: secret } },
      headers: { 'x-request-id': requestId },
    });

    // Assess
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(linesOf(requestId).length).toBeGreaterThan(0);
    expectNowhere(secret, linesOf(requestId));
  });

  it.each(['password', 'currentPassword', 'newPassword', 'refreshToken', 'token', 'apiKey', 'clientSecret'])(
    'when a variable named %s is in flight during an unexpected error',
    async (name) => {
      // Prepare
      const secret = newSecret();
      const requestId = `named-${name}-${requestCounter}`;
      removeFault = echoingFault(secret);

      // Act
      const query = `mutation SignIn($${name}: String!) {
        login(input: { username: "${user.username}", password: $${name} }) { accessToken }
      }`;
      const response = await graphql(query, {
        variables: { [name]: secret },
        headers: { 'x-request-id': requestId },
      });

      // Assess
      expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
      const lines = linesOf(requestId);
      expect(lines.some((line) => line.includes('AccessDeniedException'))).toBe(true);
      expectNowhere(secret, lines);
    },
  );

  it('when the password travels in a variable whose name says nothing', async () => {
    // Prepare
    const secret = newSecret();
    const requestId = `neutral-name-${requestCounter}`;
    removeFault = echoingFault(secret);

    // Act
    const response = await graphql(
      `mutation SignIn($p: String!) { login(input: { username: "${user.username}", password: $p }) { accessToken } }`,
      { variables: { p: secret }, headers: { 'x-request-id': requestId } },
    );

    // Assess
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    const lines = linesOf(requestId);
    expect(lines.some((line) => line.includes('AccessDeniedException'))).toBe(true);
    expectNowhere(secret, lines);
  });

  it('every time the same operation comes again (its secret variables are found once per document)', async () => {
    // Prepare: one document, sent three times
    const query = `mutation SignIn($p: String!) { login(input: { username: "${user.username}", password: $p }) { accessToken } }`;

    for (let attempt = 0; attempt < 3; attempt++) {
      const secret = newSecret();
      const requestId = `same-document-${requestCounter}`;
      removeFault?.();
      removeFault = echoingFault(secret);

      // Act
      const response = await graphql(query, {
        variables: { p: secret },
        headers: { 'x-request-id': requestId },
      });

      // Assess
      expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
      const lines = linesOf(requestId);
      expect(lines.some((line) => line.includes('AccessDeniedException'))).toBe(true);
      expectNowhere(secret, lines);
    }
  });

  it('when the variables arrive in the query string of a GET', async () => {
    // Prepare: an id-shaped secret, so that the read reaches the database and meets the fault.
    const secret = `tok3n${process.pid}x${Date.now().toString(36)}x${++requestCounter}`;
    const requestId = `get-variables-${requestCounter}`;
    removeFault = echoingFault(secret);
    const event = apiGatewayEvent({
      path: '/graphql',
      headers: {
        authorization: `Bearer ${user.token}`,
        'apollo-require-preflight': 'true',
        'x-request-id': requestId,
      },
      query: {
        query: 'query Lookup($token: ID!) { item(id: $token) { id } }',
        variables: JSON.stringify({ token: secret }),
      },
    });

    // Act
    const result = await app.handler(event, lambdaContext());

    // Assess
    expect(JSON.parse(result.body)).toMatchObject({
      errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
    });
    const lines = linesOf(requestId);
    expect(lines.some((line) => line.includes('AccessDeniedException'))).toBe(true);
    expectNowhere(secret, lines);
  });
});

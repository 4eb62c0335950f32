import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import type { ApiHandler } from '../../src/http/api-gateway.js';
import { createLogger } from '../../src/logger.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { apiGatewayEvent, lambdaContext } from '../helpers/api-gateway-events.js';
import { awsError, injectFault } from '../helpers/dynamodb-recorder.js';
import { graphqlThroughHandler, signUp, type GraphQLClient, type SignedUpUser } from '../helpers/graphql.js';
import {
  restThroughHandler,
  type HandlerRequest,
  type HandlerResponse,
} from '../helpers/rest-through-handler.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

/** What an attacker would love to read in a 500: an account id, a role, an action. */
const TELLING_MESSAGE =
  'User: arn:aws:sts::123456789012:assumed-role/api-role/fn is not authorized to perform: dynamodb:Query';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const maskedRestBody = (requestId: string) =>
  JSON.stringify({ detail: 'Internal server error', request_id: requestId });

/**
 * Issue 11: one error boundary per transport. Whatever is thrown, at whatever layer, a client
 * gets the transport's masked shape with the request id, and the log has the cause with the
 * same id. Issue 15.9: a REST 500 never carries the raw error message.
 */
describe('Error boundaries: one per transport, nothing unmasked', () => {
  let app: TestHandler;
  let rest: HandlerRequest;
  let graphql: GraphQLClient;
  let user: SignedUpUser;
  let itemId: string;
  let removeFault: (() => void) | undefined;

  beforeAll(async () => {
    app = await createTestHandler();
    rest = restThroughHandler(app.handler);
    graphql = graphqlThroughHandler(app.handler);
    user = await signUp(graphql);
    const created = await rest('POST', '/item/', { token: user.token, json: { name: 'target' } });
    itemId = (created.body as { id: string }).id;
  });
  afterAll(() => app.stop());
  afterEach(() => {
    removeFault?.();
    removeFault = undefined;
  });

  const failEveryCall = () =>
    (removeFault = injectFault(app.client, () =>
      Object.assign(awsError('AccessDeniedException'), { message: TELLING_MESSAGE }),
    ));
  const errorLogOf = (requestId: string) =>
    app.logs.find((line) => line.level === 'error' && line.requestId === requestId);

  describe('REST', () => {
    it.each([
      ['a listing (Query)', 'GET', '/item/', undefined],
      ['a read (BatchGetItem)', 'GET', '/item/{id}', undefined],
      ['a create (PutItem)', 'POST', '/item/', { name: 'new' }],
      ['an update (UpdateItem)', 'PUT', '/item/update/{id}', { name: 'renamed' }],
      ['a delete', 'DELETE', '/item/{id}', undefined],
      ['the profile', 'GET', '/user/me', undefined],
      ['a login', 'POST', '/user/login', { username: 'someone', password: 'whatever' }],
    ])(
      'answers a storage failure during %s with exactly the masked 500',
      async (what, method, path, json) => {
        // Prepare
        const requestId = `rest-500-${method}-${what.length}`;
        failEveryCall();

        // Act
        const response = await rest(method, path.replace('{id}', itemId), {
          token: user.token,
          json,
          headers: { 'X-Request-ID': requestId },
        });

        // Assess
        expect(response.status).toBe(500);
        expect(response.text).toBe(maskedRestBody(requestId));
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.headers['x-request-id']).toBe(requestId);
        expect(errorLogOf(requestId)).toMatchObject({
          error: { name: 'AccessDeniedException', message: TELLING_MESSAGE, stack: expect.any(String) },
        });
      },
    );
  });

  describe('GraphQL', () => {
    it('answers a storage failure in a resolver with INTERNAL_SERVER_ERROR and the request id', async () => {
      // Prepare
      failEveryCall();

      // Act
      const response = await graphql(`{ item(id: "${itemId}") { id } }`, {
        token: user.token,
        headers: { 'x-request-id': 'graphql-500' },
      });

      // Assess
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'graphql-500' },
        }),
      ]);
      expect(JSON.stringify(response.body)).not.toContain('arn:aws');
      expect(errorLogOf('graphql-500')).toMatchObject({ error: { message: TELLING_MESSAGE } });
    });

    it.each(['/graphql', '/api/graphql'])(
      'answers a body over the limit on %s as a GraphQL error, 413',
      async (path) => {
        // Act
        const result = await app.handler(
          apiGatewayEvent({
            method: 'POST',
            path,
            body: JSON.stringify({ query: '{ __typename }', padding: 'z'.repeat(64 * 1024) }),
          }),
          lambdaContext(),
        );

        // Assess
        expect(result.statusCode).toBe(413);
        expect(JSON.parse(result.body)).toEqual({
          errors: [
            {
              message: expect.any(String),
              extensions: { code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' },
            },
          ],
        });
      },
    );

    it('answers a body that is not JSON as a GraphQL error, 400', async () => {
      // Act
      const result = await app.handler(
        apiGatewayEvent({ method: 'POST', path: '/graphql', body: '{"query": "{ __typename }"' }),
        lambdaContext(),
      );

      // Assess
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body)).toEqual({
        errors: [
          { message: expect.any(String), extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_JSON' } },
        ],
      });
    });

    it('answers a base64 body whose bytes are not UTF-8 as a GraphQL error, 400 (not a query with U+FFFD in it)', async () => {
      // Prepare: API Gateway base64-encodes a body it takes for binary
      const bytes = Buffer.concat([
        Buffer.from('{"query": "{ __typename }", "x": "'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      const event = {
        ...apiGatewayEvent({ method: 'POST', path: '/graphql' }),
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      };

      // Act
      const result = await app.handler(event, lambdaContext());

      // Assess
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body)).toEqual({
        errors: [
          {
            message: 'The request body is not valid UTF-8',
            extensions: { code: 'BAD_USER_INPUT', reason: 'INVALID_JSON' },
          },
        ],
      });
    });
  });

  describe('REST 413 and 422', () => {
    it('answers a body over the limit on REST as {detail, request_id}, 413', async () => {
      // Act
      const response = await rest('POST', '/item/', {
        token: user.token,
        json: { name: 'big', description: 'y'.repeat(64 * 1024) },
        headers: { 'X-Request-ID': 'rest-413' },
      });

      // Assess
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ detail: expect.any(String), request_id: 'rest-413' });
    });

    const expectLoc = (response: HandlerResponse, loc: readonly string[]) => {
      expect(response.status, response.text).toBe(422);
      expect((response.body as { detail: { loc: string[] }[] }).detail).toEqual([
        expect.objectContaining({ loc }),
      ]);
    };

    it.each([
      ['GET /item/', '/item/'],
      ['the legacy GET /item/read/', '/item/read/'],
    ])('locates a bad query parameter of %s in the query', async (_route, path) => {
      // Act
      const response = await rest('GET', path, { token: user.token, query: { limit: 'abc' } });

      // Assess
      expectLoc(response, ['query', 'limit']);
    });

    it('locates a malformed If-Match in its header', async () => {
      // Act
      const response = await rest('PUT', `/item/${itemId}`, {
        token: user.token,
        json: { name: 'x' },
        headers: { 'If-Match': 'version one' },
      });

      // Assess
      expectLoc(response, ['header', 'if-match']);
    });

    it.each([
      ['POST /item/', '/item/'],
      ['the legacy POST /item/create/', '/item/create/'],
    ])('locates a bad Idempotency-Key of %s in its header', async (_route, path) => {
      // Act
      const response = await rest('POST', path, {
        token: user.token,
        json: { name: 'x' },
        headers: { 'Idempotency-Key': 'k'.repeat(300) },
      });

      // Assess
      expectLoc(response, ['header', 'idempotency-key']);
    });

    it.each([
      ['a create', 'POST', '/item/'],
      ['an update', 'PUT', '/item/{id}'],
    ])('locates a bad name of %s in the body', async (_what, method, path) => {
      // Act
      const response = await rest(method, path.replace('{id}', itemId), {
        token: user.token,
        json: { name: '' },
      });

      // Assess
      expectLoc(response, ['body', 'name']);
    });

    it('locates a bad item id in the path', async () => {
      // Act
      const response = await rest('GET', `/item/${'x'.repeat(200)}`, { token: user.token });

      // Assess
      expectLoc(response, ['path', 'id']);
    });
  });
});

/** The app exactly as the composition root wires it, with its assets folder missing. */
describe('Error boundaries: the assets folder is missing', () => {
  let app: TestHandler;
  let handler: ApiHandler;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    app = await createTestHandler();
    const config = loadConfig({
      DYNAMODB_ENDPOINT: app.dynamo.endpoint,
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
    });
    handler = composeApp({
      config,
      logger: createLogger('info', (line) => logs.push(JSON.parse(line) as Record<string, unknown>)),
      dynamo: createDocumentClient(
        createDynamoClient({ region: config.region, endpoint: config.dynamodbEndpoint }),
      ),
      signingKey: 'pipeline-errors-signing-key-of-at-least-32-bytes',
      assetsDir: '/nonexistent/basic-item-crud/assets',
    });
  });
  afterAll(() => app.stop());

  const get = (path: string, requestId: string, headers: Record<string, string> = {}) =>
    handler(apiGatewayEvent({ path, headers: { 'X-Request-ID': requestId, ...headers } }), lambdaContext());
  const errorLogOf = (requestId: string) =>
    logs.find((line) => line.level === 'error' && line.requestId === requestId);

  it.each(['/docs', '/api/docs', '/assets/graphiql.js'])(
    'answers GET %s with the masked JSON 500, not a plain-text 400',
    async (path) => {
      // Prepare
      const requestId = `no-assets-${path.length}`;

      // Act
      const result = await get(path, requestId);

      // Assess
      expect(result.statusCode).toBe(500);
      expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
      expect(result.body).toBe(maskedRestBody(requestId));
      expect(errorLogOf(requestId)).toMatchObject({ error: { message: expect.stringContaining('assets') } });
    },
  );

  it('answers the IDE page asked for by a browser with a masked GraphQL error quoting the request id', async () => {
    // Act
    const result = await get('/graphql', 'no-ide-page', { accept: BROWSER_ACCEPT });

    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(result.body).not.toContain('nonexistent');
    expect(JSON.parse(result.body)).toEqual({
      errors: [
        {
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'no-ide-page' },
        },
      ],
    });
    expect(errorLogOf('no-ide-page')).toMatchObject({
      error: { message: expect.stringContaining('assets') },
    });
  });

  it('still answers REST and GraphQL requests that need no asset', async () => {
    // Act
    const health = await get('/health', 'no-assets-health');
    const graphql = await handler(
      apiGatewayEvent({ method: 'POST', path: '/graphql', body: { query: '{ health { status } }' } }),
      lambdaContext(),
    );

    // Assess
    expect([health.statusCode, graphql.statusCode]).toEqual([200, 200]);
    expect(JSON.parse(graphql.body)).toEqual({ data: { health: { status: 'ok' } } });
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { graphqlThroughHandler, signUp, type GraphQLClient, type SignedUpUser } from '../helpers/graphql.js';
import { restThroughHandler, type HandlerRequest } from '../helpers/rest-through-handler.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';
import { dynamoDbCalls, LocalXRayDaemon } from '../helpers/xray-daemon.js';
import { startManagementApiStub } from '../helpers/management-api-stub.js';
import { managementApis } from '../../src/realtime/management-api.js';

const { usersTable, itemsTable } = loadConfig({});

/** An invocation's trace header, as Lambda sets it (`_X_AMZN_TRACE_ID`) from API Gateway's. */
function traceHeader(sampled: boolean) {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const parent = randomBytes(8).toString('hex');
  return { root, parent, header: `Root=${root};Parent=${parent};Sampled=${sampled ? 1 : 0}` };
}

/**
 * The same service as in Lambda with TRACING=full: LAMBDA_TASK_ROOT puts the X-Ray SDK in its
 * Lambda mode, where Lambda owns the function's segment (`Parent` of the trace header) and each
 * subsegment made here is sent on its own when it closes. A UDP socket stands in for the daemon.
 */
describe('Tracing in Lambda: subsegments of the invocation, sent to a local daemon (TRACING=full)', () => {
  let daemon: LocalXRayDaemon;
  let app: TestHandler;
  let rest: HandlerRequest;
  let graphql: GraphQLClient;
  let user: SignedUpUser;
  let taskRoot: string;

  /** Each request is an invocation of its own, with its own trace header. */
  const invocation = (sampled = true) => {
    const trace = traceHeader(sampled);
    process.env._X_AMZN_TRACE_ID = trace.header;
    return trace;
  };

  beforeAll(async () => {
    daemon = await LocalXRayDaemon.start();
    taskRoot = mkdtempSync(join(tmpdir(), 'xray-lambda-'));
    // Both read by the X-Ray SDK when it loads, on the first traced request.
    process.env.AWS_XRAY_DAEMON_ADDRESS = daemon.address;
    process.env.LAMBDA_TASK_ROOT = taskRoot;
    app = await createTestHandler({ TRACING: 'full' });
    rest = restThroughHandler(app.handler);
    graphql = graphqlThroughHandler(app.handler);
    invocation();
    user = await signUp(graphql);
  });
  afterAll(async () => {
    await app?.stop();
    await daemon?.close();
    for (const name of ['AWS_XRAY_DAEMON_ADDRESS', 'LAMBDA_TASK_ROOT', '_X_AMZN_TRACE_ID'])
      delete process.env[name];
    if (taskRoot) rmSync(taskRoot, { recursive: true, force: true });
  });

  it('REST: the request is a subsegment of the function segment, its PutItem one of the request', async () => {
    // Prepare
    const trace = invocation();

    // Act
    const response = await rest('POST', '/item/', {
      token: user.token,
      json: { name: 'traced' },
      headers: { 'X-Request-ID': 'lambda-rest-create' },
    });

    // Assess
    expect(response.status).toBe(201);
    const request = await daemon.waitFor((d) => d.annotations?.request_id === 'lambda-rest-create');
    expect(request).toMatchObject({
      type: 'subsegment',
      trace_id: trace.root,
      parent_id: trace.parent,
      name: '## POST /item/',
      annotations: { request_id: 'lambda-rest-create', user_id: user.id, route: 'POST /item/', status: 201 },
    });
    const calls = daemon.childrenOf(request);
    expect(dynamoDbCalls(calls)).toEqual([`PutItem ${itemsTable}`]);
    expect(calls.every((call) => call.trace_id === trace.root && call.type === 'subsegment')).toBe(true);
  });

  it('GraphQL: the same, with each table its resolvers read', async () => {
    // Prepare
    invocation();
    const created = await rest('POST', '/item/', { token: user.token, json: { name: 'traced' } });
    const trace = invocation();

    // Act
    const response = await graphql('query ($id: ID!) { item(id: $id) { name owner { username } } }', {
      token: user.token,
      variables: { id: (created.body as { id: string }).id },
      headers: { 'X-Request-ID': 'lambda-graphql-item' },
    });

    // Assess
    expect(response.body.errors).toBeUndefined();
    const request = await daemon.waitFor((d) => d.annotations?.request_id === 'lambda-graphql-item');
    expect(request).toMatchObject({
      trace_id: trace.root,
      parent_id: trace.parent,
      name: '## POST /graphql',
      annotations: {
        request_id: 'lambda-graphql-item',
        user_id: user.id,
        route: 'POST /graphql',
        status: 200,
      },
    });
    expect(dynamoDbCalls(daemon.childrenOf(request))).toEqual(
      [`GetItem ${itemsTable}`, `GetItem ${usersTable}`].sort(),
    );
  });

  it('subscriptions: a post to a WebSocket client is a subsegment of the invocation', async () => {
    // Prepare: the messenger the WebSocket and publisher functions use, at a local @connections API
    const stub = await startManagementApiStub('dev');
    try {
      const messenger = managementApis({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })(stub.endpoint);
      const trace = invocation();

      // Act
      await messenger.post('traced-connection=', '{"type":"pong"}');

      // Assess
      const post = await daemon.waitFor(
        (d) => d.trace_id === trace.root && d.aws?.operation === 'PostToConnection',
      );
      expect(post).toMatchObject({ type: 'subsegment', parent_id: trace.parent, namespace: 'aws' });
      expect(stub.messagesTo('traced-connection=')).toEqual([{ type: 'pong' }]);
    } finally {
      await stub.close();
    }
  });

  it('sends nothing for an invocation X-Ray did not sample', async () => {
    // Prepare
    const trace = invocation(false);

    // Act
    const response = await rest('GET', '/item/', {
      token: user.token,
      headers: { 'X-Request-ID': 'lambda-not-sampled' },
    });
    // A sampled request after it: once its subsegment arrives, the other would have too.
    invocation();
    await rest('GET', '/health', { headers: { 'X-Request-ID': 'lambda-sampled-after' } });
    await daemon.waitFor((d) => d.annotations?.request_id === 'lambda-sampled-after');

    // Assess
    expect(response.status).toBe(200);
    expect(daemon.all().filter((d) => d.trace_id === trace.root)).toEqual([]);
  });
});

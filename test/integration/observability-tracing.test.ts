import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { graphqlThroughHandler, signUp, type GraphQLClient, type SignedUpUser } from '../helpers/graphql.js';
import { restThroughHandler, type HandlerRequest } from '../helpers/rest-through-handler.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';
import { dynamoDbCalls, LocalXRayDaemon, type SegmentDocument } from '../helpers/xray-daemon.js';

const SERVICE = 'basic-item-crud-trace-test';
const { usersTable, itemsTable } = loadConfig({});

/**
 * The service in this process with TRACING=full, off Lambda (as the local server runs it): each
 * request is an X-Ray segment of its own, sent whole to the daemon when it ends. A UDP socket
 * stands in for the daemon; nothing here talks to AWS.
 */
describe('Tracing: X-Ray segments of requests, sent to a local daemon (TRACING=full, off Lambda)', () => {
  let daemon: LocalXRayDaemon;
  let app: TestHandler;
  let rest: HandlerRequest;
  let graphql: GraphQLClient;
  let user: SignedUpUser;

  /** The request's segment (found by the request id it is annotated with) and its subsegments. */
  const traceOf = async (requestId: string) => {
    const request = await daemon.waitFor((d) => d.annotations?.request_id === requestId);
    const segment = daemon.documents.find((d) => d.subsegments?.includes(request)) as SegmentDocument;
    return { segment, request, calls: dynamoDbCalls(daemon.childrenOf(request)) };
  };

  beforeAll(async () => {
    daemon = await LocalXRayDaemon.start();
    // Read by the X-Ray SDK when it loads, on the first traced request.
    process.env.AWS_XRAY_DAEMON_ADDRESS = daemon.address;
    app = await createTestHandler({ TRACING: 'full', POWERTOOLS_SERVICE_NAME: SERVICE });
    rest = restThroughHandler(app.handler);
    graphql = graphqlThroughHandler(app.handler);
    user = await signUp(graphql);
  });
  afterAll(async () => {
    await app?.stop();
    await daemon?.close();
    delete process.env.AWS_XRAY_DAEMON_ADDRESS;
  });

  it('REST: the request is annotated with its id, route and user, its PutItem recorded with the table', async () => {
    // Act
    const response = await rest('POST', '/item/', {
      token: user.token,
      json: { name: 'traced' },
      headers: { 'X-Request-ID': 'trace-rest-create' },
    });

    // Assess
    expect(response.status).toBe(201);
    const { segment, request, calls } = await traceOf('trace-rest-create');
    expect(segment).toMatchObject({
      name: SERVICE,
      trace_id: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
    expect(request).toMatchObject({
      name: '## POST /item/',
      annotations: { request_id: 'trace-rest-create', user_id: user.id, route: 'POST /item/', status: 201 },
    });
    expect(calls).toEqual([`PutItem ${itemsTable}`]);
  });

  it('GraphQL: the request is annotated alike, each table its resolvers read recorded', async () => {
    // Prepare
    const created = await rest('POST', '/item/', { token: user.token, json: { name: 'traced' } });
    const itemId = (created.body as { id: string }).id;

    // Act
    const response = await graphql('query ($id: ID!) { item(id: $id) { name owner { username } } }', {
      token: user.token,
      variables: { id: itemId },
      headers: { 'X-Request-ID': 'trace-graphql-item' },
    });

    // Assess
    expect(response.body.errors).toBeUndefined();
    const { request, calls } = await traceOf('trace-graphql-item');
    expect(request).toMatchObject({
      name: '## POST /graphql',
      annotations: {
        request_id: 'trace-graphql-item',
        user_id: user.id,
        route: 'POST /graphql',
        status: 200,
      },
    });
    expect(calls).toEqual([`GetItem ${itemsTable}`, `GetItem ${usersTable}`].sort());
  });

  it('flags an error answer, and leaves out the user id of an anonymous request', async () => {
    const response = await rest('GET', '/item/', { headers: { 'X-Request-ID': 'trace-rest-anonymous' } });

    expect(response.status).toBe(401);
    const { segment, request } = await traceOf('trace-rest-anonymous');
    expect(request.annotations).not.toHaveProperty('user_id');
    expect(request).toMatchObject({ error: true, annotations: { status: 401 } });
    expect(segment).toMatchObject({ error: true });
  });
});

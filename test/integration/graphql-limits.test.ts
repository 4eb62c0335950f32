import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS } from '../../src/graphql/limits.js';
import { apiGatewayEvent, lambdaContext } from '../helpers/api-gateway-events.js';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-recorder.js';
import {
  createItems,
  errorCodes,
  errorReasons,
  graphqlThroughHandler,
  signUp,
  type GraphQLClient,
  type SignedUpUser,
} from '../helpers/graphql.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

/** `{ me { items { edges { node { owner { items ... } } } } } }`: `levels` fields nested. */
function deepQuery(levels: number): string {
  const cycle = ['items', 'edges', 'node', 'owner'];
  const fields = ['me'];
  for (let i = 0; fields.length < levels - 1; i++) fields.push(cycle[i % cycle.length] as string);
  const last = fields.at(-1);
  const leaf = last === 'edges' ? 'cursor' : last === 'items' ? '__typename' : 'id';
  // Small pages: the depth is the point here, not the cost.
  const withArgs = (field: string) => (field === 'items' ? 'items(first: 5)' : field);
  return `{ ${fields.reduceRight((inner, field) => `${withArgs(field)} { ${inner} }`, leaf)} }`;
}

describe('GraphQL limits: abusive requests are refused before any resolver runs', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let recorder: CallRecorder;
  let user: SignedUpUser;
  let itemId: string;

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    recorder = recordCalls(app.client);
    user = await signUp(graphql);
    const [item] = await createItems(graphql, user, ['target']);
    itemId = item?.id ?? '';
  });
  afterAll(() => app.stop());
  beforeEach(() => recorder.reset());

  it('accepts the deepest legitimate shape', async () => {
    const { body } = await graphql(deepQuery(GRAPHQL_LIMITS.maxDepth), { token: user.token });

    expect(body.errors).toBeUndefined();
  });

  it('refuses a query 20 levels deep', async () => {
    const response = await graphql(deepQuery(20), { token: user.token });

    expect(response.status).toBe(400);
    expect(new Set(errorCodes(response))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(new Set(errorReasons(response))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(response.body.errors?.map((e) => e.message)).toContain(
      'Syntax Error: Query depth limit of 10 exceeded, found 20.',
    );
    expect(response.body.data).toBeUndefined();
    expect(recorder.operations()).toEqual([]);
  });

  it('accepts 50 aliases', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `a${i}: item(id: "${itemId}") { id }`).join(' ');

    const { body } = await graphql(`{ ${fields} }`, { token: user.token });

    expect(body.errors).toBeUndefined();
  });

  it('refuses 100 aliases', async () => {
    const fields = Array.from({ length: 100 }, (_, i) => `a${i}: item(id: "${itemId}") { id }`).join(' ');

    const response = await graphql(`{ ${fields} }`, { token: user.token });

    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors?.[0]?.message).toMatch(/Aliases limit of 60 exceeded, found 100/);
    expect(recorder.operations()).toEqual([]);
  });

  it('refuses a document of too many tokens while parsing it', async () => {
    const fields = Array.from({ length: GRAPHQL_LIMITS.maxTokens }, () => 'id').join(' ');

    const response = await graphql(`{ me { ${fields} } }`, { token: user.token });

    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(response.body.errors?.[0]?.message).toMatch(/Document contains more th.. 2000 tokens/);
    expect(recorder.operations()).toEqual([]);
  });

  it('refuses too many directives', async () => {
    const fields = Array.from({ length: 25 }, (_, i) => `a${i}: id @include(if: true)`).join(' ');

    const response = await graphql(`{ me { ${fields} } }`, { token: user.token });

    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors?.[0]?.message).toMatch(/Directives limit of 20 exceeded/);
    expect(recorder.operations()).toEqual([]);
  });

  it('refuses a query whose cost is over the limit though its depth and aliases are within theirs', async () => {
    const fields = 'id name description createdAt updatedAt version';
    const fragment = `fragment Deep on User {
      items { edges { cursor node { ${fields} owner { id username items { edges { cursor } } } } } }
    }`;
    // 50 aliases of a selection as deep as allowed: each within its own limit, together far over the cost.
    const selections = Array.from({ length: 50 }, (_, i) => `a${i}: me { ...Deep }`).join(' ');

    const response = await graphql(`{ ${selections} } ${fragment}`, { token: user.token });

    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['QUERY_COST_LIMIT']);
    expect(response.body.errors?.[0]?.message).toMatch(/^Query cost \d+ is over the limit of 5000$/);
    expect(recorder.operations()).toEqual([]);
  });

  it('counts page sizes the query leaves to their default', async () => {
    const nested =
      '{ items { edges { node { owner { items { edges { node { id name description } } } } } } } }';

    const response = await graphql(nested, { token: user.token });

    expect(response.status).toBe(400);
    expect(errorReasons(response)).toEqual(['QUERY_COST_LIMIT']);
    expect(recorder.operations()).toEqual([]);
  });

  it('counts page sizes passed in variables', async () => {
    const query = `query ($n: Int) {
      items(first: $n) { edges { node { owner { items(first: $n) { edges { node { description } } } } } } }
    }`;

    const response = await graphql(query, { token: user.token, variables: { n: 100 } });

    expect(response.status).toBe(400);
    expect(errorReasons(response)).toEqual(['QUERY_COST_LIMIT']);
    expect(recorder.operations()).toEqual([]);
  });

  it('lets a full page with owners through', async () => {
    const query = 'query ($n: Int) { items(first: $n) { edges { node { id name owner { username } } } } }';

    const response = await graphql(query, { token: user.token, variables: { n: 100 } });

    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });

  it('refuses an HTTP batch (a JSON array of operations)', async () => {
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/graphql',
      headers: { authorization: `Bearer ${user.token}` },
      body: [{ query: '{ me { id } }' }, { query: '{ items { edges { cursor } } }' }],
    });

    const result = await app.handler(event, lambdaContext());

    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.message).toMatch(/batching/i);
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' });
    expect(recorder.operations()).toEqual([]);
  });

  it("lets the IDE's introspection query through (it is deep, but introspection is not counted)", async () => {
    const { status, body } = await graphql<{ __schema: { queryType: { name: string } } }>(
      getIntrospectionQuery(),
    );

    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.__schema.queryType.name).toBe('Query');
  });

  it('suggests field names while introspection is on', async () => {
    const response = await graphql('{ mee { id } }');

    expect(response.body.errors?.[0]?.message).toMatch(/Did you mean "me"\?/);
  });
});

describe('GraphQL limits: with introspection turned off (GRAPHQL_INTROSPECTION=false)', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;

  beforeAll(async () => {
    app = await createTestHandler({ GRAPHQL_INTROSPECTION: 'false' });
    graphql = graphqlThroughHandler(app.handler);
  });
  afterAll(() => app.stop());

  it('refuses introspection', async () => {
    const response = await graphql('{ __schema { queryType { name } } }');

    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('hides field suggestions, which would reveal the schema name by name', async () => {
    const response = await graphql('{ mee { id } }');

    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.message).toMatch(/Cannot query field "mee" on type "Query"/);
    expect(response.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(response.body)).not.toContain('"me"');
  });

  it('still serves ordinary queries', async () => {
    const { body } = await graphql('{ health { status } }');

    expect(body).toEqual({ data: { health: { status: 'ok' } } });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

const OWNERS_PAGES = (first: number) => `
  query Owners($ids: [ID!]!) {
    itemsByIds(ids: $ids) { id owner { items(first: ${first}) { edges { node { id } } } } }
  }
`;

interface OwnersPages {
  readonly itemsByIds: readonly { id: string; owner: { items: { edges: { node: { id: string } }[] } } }[];
}

/**
 * Issue 15.4: a field under a list costs once per element the list may hold (`ids`, `first`),
 * `User.items` for the same user and arguments is one Query per request, and every alias,
 * `__typename` too, counts toward the alias limit.
 */
describe('GraphQL fan-out: list sizes multiply, repeated listings load once', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let recorder: CallRecorder;
  let user: SignedUpUser;
  let ownIds: string[];

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    recorder = recordCalls(app.client);
    user = await signUp(graphql);
    const names = Array.from({ length: 100 }, (_, i) => `item ${i}`);
    ownIds = (await createItems(graphql, user, names)).map((item) => item.id);
  });
  afterAll(() => app.stop());
  beforeEach(() => recorder.reset());

  it('refuses itemsByIds of 100 ids asking each owner for 40 items, by cost, before any call', async () => {
    // Prepare
    const ids = Array.from({ length: 100 }, () => randomUUID());

    // Act
    const response = await graphql(OWNERS_PAGES(40), { token: user.token, variables: { ids } });

    // Assess
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['QUERY_COST_LIMIT']);
    expect(response.body.errors?.[0]?.extensions?.cost).toBeGreaterThanOrEqual(100 * 40);
    expect(recorder.operations()).toEqual([]);
  });

  it('counts ids written in the document as ids passed in variables', async () => {
    // Prepare
    const ids = Array.from({ length: 100 }, () => `"${randomUUID()}"`).join(', ');
    const query = `{ itemsByIds(ids: [${ids}]) { owner { items(first: 40) { edges { node { id } } } } } }`;

    // Act
    const response = await graphql(query, { token: user.token });

    // Assess
    expect(response.status).toBe(400);
    expect(errorReasons(response)).toEqual(['QUERY_COST_LIMIT']);
    expect(response.body.errors?.[0]?.extensions?.cost).toBeGreaterThanOrEqual(100 * 40);
  });

  it('loads User.items once for 100 items asking their owner for the same page', async () => {
    // Act
    const response = await graphql<OwnersPages>(OWNERS_PAGES(5), {
      token: user.token,
      variables: { ids: ownIds },
    });

    // Assess
    expect(response.body.errors).toBeUndefined();
    const pages = response.body.data?.itemsByIds.map((item) => item.owner.items.edges.length);
    expect(pages).toEqual(ownIds.map(() => 5));
    expect(recorder.operations().filter((operation) => operation === 'Query')).toEqual(['Query']);
  });

  it('refuses 500 aliases of __typename by the alias limit', async () => {
    // Prepare
    const aliases = Array.from({ length: 500 }, (_, i) => `a${i}: __typename`).join(' ');

    // Act
    const response = await graphql(`{ ${aliases} }`);

    // Assess
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(errorReasons(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors?.[0]?.message).toMatch(/alias/i);
  });
});

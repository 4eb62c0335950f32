import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-recorder.js';
import {
  createItems,
  graphqlThroughHandler,
  signUp,
  type CreatedItem,
  type GraphQLClient,
  type SignedUpUser,
} from '../helpers/graphql.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

describe("GraphQL batching: DynamoDB calls per operation, counted on the handler's real client", () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let recorder: CallRecorder;
  let owner: SignedUpUser;
  let items: CreatedItem[];

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    recorder = recordCalls(app.client);
    owner = await signUp(graphql);
    items = await createItems(
      graphql,
      owner,
      Array.from({ length: 50 }, (_, i) => `item ${i}`),
    );
  });
  afterAll(() => app.stop());
  beforeEach(() => recorder.reset());

  it('reads 50 aliased item(id:) fields with one BatchGetItem', async () => {
    const fields = items.map((item, i) => `i${i}: item(id: "${item.id}") { id name }`).join('\n');

    const { body } = await graphql<Record<string, { id: string; name: string }>>(`{ ${fields} }`, {
      token: owner.token,
    });

    expect(body.errors).toBeUndefined();
    expect(Object.values(body.data ?? {}).map((i) => i.id)).toEqual(items.map((i) => i.id));
    expect(recorder.operations()).toEqual(['BatchGetItem']);
  });

  it('lists 50 items with their owners in one Query and at most one read of the owners', async () => {
    const { body } = await graphql<{ items: { edges: { node: { owner: { username: string } } }[] } }>(
      '{ items(first: 50) { edges { node { owner { username } } } } }',
      { token: owner.token },
    );

    expect(body.errors).toBeUndefined();
    expect(body.data?.items.edges).toHaveLength(50);
    expect(new Set(body.data?.items.edges.map((e) => e.node.owner.username))).toEqual(
      new Set([owner.username]),
    );
    const [first, ...rest] = recorder.operations();
    expect(first).toBe('Query');
    expect(rest.length).toBeLessThanOrEqual(1);
    // One owner: one key, so a GetItem (several owners: one BatchGetItem)
    expect(rest).toEqual(['GetItem']);
  });

  it('reads the user once for me and item.owner of the same user', async () => {
    const { body } = await graphql<{ me: { username: string }; item: { owner: { id: string } } }>(
      `{ me { username } item(id: "${items[0]?.id}") { owner { id username } } }`,
      { token: owner.token },
    );

    expect(body.errors).toBeUndefined();
    expect(body.data?.item.owner.id).toBe(owner.id);
    // One read per table (one key each: a GetItem): the users loader answers item.owner from
    // the read `me` started.
    expect(recorder.operations()).toEqual(['GetItem', 'GetItem']);
  });

  it('answers itemsByIds for 100 ids with one BatchGetItem', async () => {
    const ids = [...items.map((i) => i.id), ...Array.from({ length: 50 }, (_, i) => `missing-${i}`)];

    const { body } = await graphql<{ itemsByIds: ({ id: string } | null)[] }>(
      'query($ids: [ID!]!) { itemsByIds(ids: $ids) { id } }',
      { variables: { ids }, token: owner.token },
    );

    expect(body.errors).toBeUndefined();
    expect(body.data?.itemsByIds.filter((i) => i !== null)).toHaveLength(50);
    expect(recorder.operations()).toEqual(['BatchGetItem']);
  });

  it('verifies the bearer token without any database call', async () => {
    const { body } = await graphql('{ items(first: 1) { edges { cursor } } }', { token: owner.token });

    expect(body.errors).toBeUndefined();
    expect(recorder.operations()).toEqual(['Query']);
  });
});

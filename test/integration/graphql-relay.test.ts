import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createItems,
  graphqlThroughHandler,
  signUp,
  type CreatedItem,
  type GraphQLClient,
  type SignedUpUser,
} from '../helpers/graphql.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

interface Connection {
  readonly edges: readonly { cursor: string; node: { id: string } }[];
  readonly pageInfo: PageInfo;
}

const CONNECTION =
  'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

const NODE = `
  query Refetch($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Item { name version }
      ... on User { username }
    }
  }
`;

/** Issue 15.8: the schema follows the Relay server specification it names. */
describe('GraphQL: Relay connections and object identification', () => {
  let app: TestHandler;
  let graphql: GraphQLClient;
  let alice: SignedUpUser;
  let bob: SignedUpUser;
  let aliceItems: CreatedItem[];
  let bobItems: CreatedItem[];

  beforeAll(async () => {
    app = await createTestHandler();
    graphql = graphqlThroughHandler(app.handler);
    alice = await signUp(graphql);
    bob = await signUp(graphql);
    aliceItems = await createItems(graphql, alice, ['first', 'second', 'third']);
    bobItems = await createItems(graphql, bob, ["bob's"]);
  });
  afterAll(() => app.stop());

  describe('PageInfo', () => {
    it('on Query.items: starts at the first edge, ends at the last, and has no previous page', async () => {
      // Act
      const { body } = await graphql<{ items: Connection }>(`{ items(first: 2) { ${CONNECTION} } }`, {
        token: alice.token,
      });

      // Assess
      const page = body.data?.items;
      expect(body.errors).toBeUndefined();
      expect(page?.pageInfo).toEqual({
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: page?.edges[0]?.cursor,
        endCursor: page?.edges[1]?.cursor,
      });
    });

    it('on User.items too, the same page as Query.items gives', async () => {
      // Act
      const { body } = await graphql<{ me: { items: Connection }; items: Connection }>(
        `{ me { items(first: 2) { ${CONNECTION} } } items(first: 2) { ${CONNECTION} } }`,
        { token: alice.token },
      );

      // Assess
      expect(body.errors).toBeUndefined();
      expect(body.data?.me.items).toEqual(body.data?.items);
      expect(body.data?.me.items.pageInfo.startCursor).toBe(body.data?.me.items.edges[0]?.cursor);
    });

    it('on a later page: still no previous page, the cursors of that page', async () => {
      // Prepare
      const first = await graphql<{ items: Connection }>(`{ items(first: 2) { ${CONNECTION} } }`, {
        token: alice.token,
      });
      const after = first.body.data?.items.pageInfo.endCursor;

      // Act
      const { body } = await graphql<{ items: Connection }>(
        `query Next($after: String) { items(first: 2, after: $after) { ${CONNECTION} } }`,
        { token: alice.token, variables: { after } },
      );

      // Assess
      const page = body.data?.items;
      expect(page?.edges.map((edge) => edge.node.id)).toEqual([aliceItems[0]?.id]);
      expect(page?.pageInfo).toEqual({
        hasNextPage: false,
        hasPreviousPage: false,
        startCursor: page?.edges[0]?.cursor,
        endCursor: page?.edges[0]?.cursor,
      });
    });

    it('on an empty page: no cursors', async () => {
      // Prepare
      const carol = await signUp(graphql);

      // Act
      const { body } = await graphql<{ items: Connection }>(`{ items { ${CONNECTION} } }`, {
        token: carol.token,
      });

      // Assess
      expect(body.data?.items).toEqual({
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      });
    });
  });

  describe('Query.node', () => {
    it("refetches one of the caller's items", async () => {
      // Prepare
      const item = aliceItems[1] as CreatedItem;

      // Act
      const { body } = await graphql(NODE, { token: alice.token, variables: { id: item.id } });

      // Assess
      expect(body).toEqual({
        data: { node: { __typename: 'Item', id: item.id, name: item.name, version: item.version } },
      });
    });

    it('refetches the caller themself', async () => {
      // Act
      const { body } = await graphql(NODE, { token: alice.token, variables: { id: alice.id } });

      // Assess
      expect(body).toEqual({
        data: { node: { __typename: 'User', id: alice.id, username: alice.username } },
      });
    });

    it.each([
      ["another user's item", () => bobItems[0]?.id],
      ['another user', () => bob.id],
      ['an id nobody has', () => '00000000-0000-4000-8000-000000000000'],
      ['an id no item can have', () => 'not an id at all'],
    ])('answers null, without an error, for %s', async (_what, id) => {
      // Act
      const { body } = await graphql(NODE, { token: alice.token, variables: { id: id() } });

      // Assess
      expect(body).toEqual({ data: { node: null } });
    });
  });
});

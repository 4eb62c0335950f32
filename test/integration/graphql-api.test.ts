import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createItems,
  errorCodes,
  graphqlOverHttp,
  signUp,
  type GraphQLClient,
  type SignedUpUser,
} from '../helpers/graphql.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface ItemFields {
  id: string;
  name: string;
  description: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const ITEM_FIELDS = 'id name description version createdAt updatedAt';
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('GraphQL API: over HTTP on the local server, on the embedded emulator', () => {
  let server: TestServer;
  let graphql: GraphQLClient;

  beforeAll(async () => {
    server = await startTestServer();
    graphql = graphqlOverHttp(server.url);
  });
  afterAll(() => server.stop());

  describe('Mutation: register', () => {
    it('creates an account and answers a bearer token that signs it in', async () => {
      const { status, body } = await graphql<{
        register: {
          accessToken: string;
          tokenType: string;
          expiresAt: string;
          user: { id: string; username: string; createdAt: string };
        };
      }>(`
        mutation {
          register(input: { username: "Alice.Register", password: "s3cret-pass" }) {
            accessToken
            tokenType
            expiresAt
            user {
              id
              username
              createdAt
            }
          }
        }
      `);

      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const payload = body.data?.register;
      expect(payload?.tokenType).toBe('bearer');
      expect(payload?.accessToken.split('.')).toHaveLength(3);
      expect(Date.parse(payload?.expiresAt ?? '')).toBeGreaterThan(Date.now());
      expect(payload?.user).toMatchObject({
        username: 'Alice.Register',
        createdAt: expect.stringMatching(ISO_DATE_TIME),
      });

      const me = await graphql<{ me: { id: string } }>('{ me { id } }', { token: payload?.accessToken });
      expect(me.body.data?.me.id).toBe(payload?.user.id);
    });

    it('refuses a username taken in another case with CONFLICT', async () => {
      await signUp(graphql, 'Taken.Name');

      const response = await graphql(
        'mutation { register(input: { username: "taken.NAME", password: "s3cret-pass" }) { accessToken } }',
      );

      expect(errorCodes(response)).toEqual(['CONFLICT']);
      expect(response.body.errors?.[0]?.message).toBe('Username already registered');
      expect(response.body.data).toBeNull();
    });

    it('refuses broken input rules with BAD_USER_INPUT listing every issue', async () => {
      const response = await graphql(
        'mutation { register(input: { username: "a b", password: "short" }) { accessToken } }',
      );

      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      const issues = response.body.errors?.[0]?.extensions?.issues as { path: string[]; type: string }[];
      expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['password', 'username']);
    });

    it('refuses a password over 72 bytes instead of truncating it', async () => {
      const response = await graphql(
        `mutation { register(input: { username: "long_pw_user", password: "${'é'.repeat(37)}" }) { accessToken } }`,
      );

      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.issues).toEqual([
        expect.objectContaining({ path: ['password'], type: 'string_too_long' }),
      ]);
    });
  });

  describe('Mutation: login', () => {
    it('answers a token for the right password, whatever the case of the username', async () => {
      const user = await signUp(graphql, 'Login.Case');

      const { body } = await graphql<{ login: { accessToken: string; user: { id: string } } }>(
        'mutation { login(input: { username: "LOGIN.case", password: "correct horse battery" }) { accessToken user { id } } }',
      );

      expect(body.errors).toBeUndefined();
      expect(body.data?.login.user.id).toBe(user.id);
    });

    it('answers an unknown user and a wrong password alike, with UNAUTHENTICATED', async () => {
      await signUp(graphql, 'Login.Wrong');

      const wrongPassword = await graphql(
        'mutation { login(input: { username: "Login.Wrong", password: "not the password" }) { accessToken } }',
      );
      const unknownUser = await graphql(
        'mutation { login(input: { username: "nobody.here", password: "not the password" }) { accessToken } }',
      );

      for (const response of [wrongPassword, unknownUser]) {
        expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
        expect(response.body.errors?.[0]?.message).toBe('Invalid credentials');
      }
    });
  });

  describe('Query: me', () => {
    it('answers the caller', async () => {
      const user = await signUp(graphql);

      const { body } = await graphql<{ me: { id: string; username: string } }>('{ me { id username } }', {
        token: user.token,
      });

      expect(body.data?.me).toEqual({ id: user.id, username: user.username });
    });

    it('needs a valid bearer token', async () => {
      const missing = await graphql('{ me { id } }');
      const forged = await graphql('{ me { id } }', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged' });

      for (const response of [missing, forged]) {
        expect(response.status).toBe(200);
        expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
        expect(response.body.data).toBeNull();
      }
    });
  });

  describe('Items: create, read, update, delete', () => {
    let owner: SignedUpUser;
    beforeAll(async () => {
      owner = await signUp(graphql);
    });

    it('createItem creates an item at version 1, owned by the caller, description defaulting to ""', async () => {
      const { body } = await graphql<{ createItem: ItemFields & { owner: { id: string } } }>(
        `mutation { createItem(input: { name: "Tea" }) { ${ITEM_FIELDS} owner { id } } }`,
        { token: owner.token },
      );

      expect(body.errors).toBeUndefined();
      expect(body.data?.createItem).toMatchObject({
        name: 'Tea',
        description: '',
        version: 1,
        owner: { id: owner.id },
      });
      expect(body.data?.createItem.createdAt).toMatch(ISO_DATE_TIME);
      expect(body.data?.createItem.updatedAt).toBe(body.data?.createItem.createdAt);
    });

    it('createItem refuses a blank name with BAD_USER_INPUT, and creates nothing', async () => {
      const fresh = await signUp(graphql);

      const response = await graphql('mutation { createItem(input: { name: "   " }) { id } }', {
        token: fresh.token,
      });

      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.issues).toEqual([
        expect.objectContaining({ path: ['name'], type: 'value_error' }),
      ]);
      const list = await graphql<{ items: { edges: unknown[] } }>('{ items { edges { cursor } } }', {
        token: fresh.token,
      });
      expect(list.body.data?.items.edges).toEqual([]);
    });

    it('createItem needs a bearer token', async () => {
      const response = await graphql('mutation { createItem(input: { name: "Anonymous" }) { id } }');

      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it("item(id) reads one of the caller's items", async () => {
      const [created] = await createItems(graphql, owner, ['Readable']);

      const { body } = await graphql<{ item: ItemFields }>(
        `query($id: ID!) { item(id: $id) { ${ITEM_FIELDS} } }`,
        {
          variables: { id: created?.id },
          token: owner.token,
        },
      );

      expect(body.data?.item).toMatchObject({ id: created?.id, name: 'Readable', version: 1 });
    });

    it('item(id) answers null with NOT_FOUND for an id that does not exist', async () => {
      const response = await graphql<{ item: null }>('{ item(id: "no-such-item") { id } }', {
        token: owner.token,
      });

      expect(response.body.data).toEqual({ item: null });
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(response.body.errors?.[0]?.path).toEqual(['item']);
    });

    it('updateItem changes only the fields given and bumps the version', async () => {
      const [created] = await createItems(graphql, owner, ['Before']);

      const { body } = await graphql<{ updateItem: ItemFields }>(
        `mutation($id: ID!) { updateItem(id: $id, input: { description: "now described" }) { ${ITEM_FIELDS} } }`,
        { variables: { id: created?.id }, token: owner.token },
      );

      expect(body.errors).toBeUndefined();
      expect(body.data?.updateItem).toMatchObject({
        name: 'Before',
        description: 'now described',
        version: 2,
      });
    });

    it('updateItem with the current expectedVersion writes; with a stale one fails PRECONDITION_FAILED and changes nothing', async () => {
      const [created] = await createItems(graphql, owner, ['Versioned']);
      const update = (name: string, expectedVersion: number) =>
        graphql<{ updateItem: ItemFields | null }>(
          `
            mutation ($id: ID!, $name: String!, $v: Int) {
              updateItem(id: $id, input: { name: $name }, expectedVersion: $v) {
                name
                version
              }
            }
          `,
          { variables: { id: created?.id, name, v: expectedVersion }, token: owner.token },
        );

      const first = await update('First', 1);
      const stale = await update('Stale', 1);

      expect(first.body.data?.updateItem).toEqual({ name: 'First', version: 2 });
      expect(errorCodes(stale)).toEqual(['PRECONDITION_FAILED']);
      const read = await graphql<{ item: ItemFields }>('query($id: ID!) { item(id: $id) { name version } }', {
        variables: { id: created?.id },
        token: owner.token,
      });
      expect(read.body.data?.item).toEqual({ name: 'First', version: 2 });
    });

    it('updateItem refuses an empty input and an explicit null with BAD_USER_INPUT', async () => {
      const [created] = await createItems(graphql, owner, ['Untouched']);

      const empty = await graphql('mutation($id: ID!) { updateItem(id: $id, input: {}) { id } }', {
        variables: { id: created?.id },
        token: owner.token,
      });
      const nulled = await graphql(
        'mutation($id: ID!) { updateItem(id: $id, input: { name: null }) { id } }',
        {
          variables: { id: created?.id },
          token: owner.token,
        },
      );

      expect(errorCodes(empty)).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(nulled)).toEqual(['BAD_USER_INPUT']);
      expect(nulled.body.errors?.[0]?.extensions?.issues).toEqual([
        expect.objectContaining({ path: ['name'] }),
      ]);
    });

    it('deleteItem answers the id, after which the item is gone', async () => {
      const [created] = await createItems(graphql, owner, ['Doomed']);

      const { body } = await graphql<{ deleteItem: string }>(
        'mutation($id: ID!) { deleteItem(id: $id, expectedVersion: 1) }',
        {
          variables: { id: created?.id },
          token: owner.token,
        },
      );
      const again = await graphql('mutation($id: ID!) { deleteItem(id: $id) }', {
        variables: { id: created?.id },
        token: owner.token,
      });

      expect(body.data?.deleteItem).toBe(created?.id);
      expect(errorCodes(again)).toEqual(['NOT_FOUND']);
    });

    it('deleteItem with a stale expectedVersion fails PRECONDITION_FAILED and keeps the item', async () => {
      const [created] = await createItems(graphql, owner, ['Kept']);

      const response = await graphql('mutation($id: ID!) { deleteItem(id: $id, expectedVersion: 7) }', {
        variables: { id: created?.id },
        token: owner.token,
      });

      expect(errorCodes(response)).toEqual(['PRECONDITION_FAILED']);
      const read = await graphql<{ item: { id: string } }>('query($id: ID!) { item(id: $id) { id } }', {
        variables: { id: created?.id },
        token: owner.token,
      });
      expect(read.body.data?.item.id).toBe(created?.id);
    });
  });

  describe('Query: items (Relay connection)', () => {
    it("pages through the caller's items newest first, with a cursor per edge", async () => {
      const owner = await signUp(graphql);
      const created = await createItems(graphql, owner, ['one', 'two', 'three', 'four', 'five']);
      const page = (after?: string) =>
        graphql<{
          items: {
            edges: { cursor: string; node: { name: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        }>(
          'query($after: String) { items(first: 2, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }',
          {
            variables: { after },
            token: owner.token,
          },
        );

      const names: string[] = [];
      let after: string | undefined;
      for (let round = 0; round < 5; round++) {
        const { body } = await page(after);
        expect(body.errors).toBeUndefined();
        const connection = body.data?.items;
        names.push(...(connection?.edges.map((e) => e.node.name) ?? []));
        if (connection?.edges.length)
          expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor);
        if (!connection?.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor ?? undefined;
      }

      expect(names).toEqual(created.map((i) => i.name).reverse());
    });

    it("resumes right after any edge's cursor, not only the last", async () => {
      const owner = await signUp(graphql);
      await createItems(graphql, owner, ['a', 'b', 'c']);
      const first = await graphql<{ items: { edges: { cursor: string }[] } }>(
        '{ items { edges { cursor } } }',
        {
          token: owner.token,
        },
      );
      const afterNewest = first.body.data?.items.edges[0]?.cursor;

      const { body } = await graphql<{ items: { edges: { node: { name: string } }[] } }>(
        'query($after: String) { items(after: $after) { edges { node { name } } } }',
        { variables: { after: afterNewest }, token: owner.token },
      );

      expect(body.data?.items.edges.map((e) => e.node.name)).toEqual(['b', 'a']);
    });

    it('refuses first over 100 and a forged cursor with BAD_USER_INPUT', async () => {
      const owner = await signUp(graphql);

      const tooMany = await graphql('{ items(first: 101) { edges { cursor } } }', { token: owner.token });
      const forged = await graphql('{ items(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }', {
        token: owner.token,
      });

      expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
    });

    it('needs a bearer token', async () => {
      const response = await graphql('{ items { edges { cursor } } }');

      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('Query: itemsByIds', () => {
    it('answers the items in the order asked, null where missing', async () => {
      const owner = await signUp(graphql);
      const [a, b] = await createItems(graphql, owner, ['a', 'b']);

      const { body } = await graphql<{ itemsByIds: ({ name: string } | null)[] }>(
        'query($ids: [ID!]!) { itemsByIds(ids: $ids) { name } }',
        { variables: { ids: [b?.id, 'missing', a?.id, b?.id] }, token: owner.token },
      );

      expect(body.errors).toBeUndefined();
      expect(body.data?.itemsByIds).toEqual([{ name: 'b' }, null, { name: 'a' }, { name: 'b' }]);
    });

    it('refuses more than 100 ids with BAD_USER_INPUT', async () => {
      const owner = await signUp(graphql);
      const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);

      const response = await graphql('query($ids: [ID!]!) { itemsByIds(ids: $ids) { id } }', {
        variables: { ids },
        token: owner.token,
      });

      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.body.errors?.[0]?.extensions?.issues).toEqual([
        expect.objectContaining({ path: ['ids'] }),
      ]);
    });
  });

  describe("Isolation: one user never sees another's items", () => {
    let alice: SignedUpUser;
    let mallory: SignedUpUser;
    let aliceItemId: string;
    beforeAll(async () => {
      alice = await signUp(graphql);
      mallory = await signUp(graphql);
      const [item] = await createItems(graphql, alice, ['alice private']);
      aliceItemId = item?.id ?? '';
    });

    it("item(id) of another's item is NOT_FOUND, exactly as a missing one", async () => {
      const response = await graphql('query($id: ID!) { item(id: $id) { name } }', {
        variables: { id: aliceItemId },
        token: mallory.token,
      });

      expect(response.body.data).toEqual({ item: null });
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(response.body.errors?.[0]?.message).toBe('Item not found');
    });

    it("items and itemsByIds leave another's items out", async () => {
      const list = await graphql<{ items: { edges: unknown[] } }>('{ items { edges { cursor } } }', {
        token: mallory.token,
      });
      const byIds = await graphql<{ itemsByIds: unknown[] }>(
        'query($ids: [ID!]!) { itemsByIds(ids: $ids) { name } }',
        {
          variables: { ids: [aliceItemId] },
          token: mallory.token,
        },
      );

      expect(list.body.data?.items.edges).toEqual([]);
      expect(byIds.body.data?.itemsByIds).toEqual([null]);
    });

    it("updateItem and deleteItem of another's item are NOT_FOUND and change nothing", async () => {
      const update = await graphql(
        'mutation($id: ID!) { updateItem(id: $id, input: { name: "pwned" }) { id } }',
        {
          variables: { id: aliceItemId },
          token: mallory.token,
        },
      );
      const remove = await graphql('mutation($id: ID!) { deleteItem(id: $id) }', {
        variables: { id: aliceItemId },
        token: mallory.token,
      });

      expect(errorCodes(update)).toEqual(['NOT_FOUND']);
      expect(errorCodes(remove)).toEqual(['NOT_FOUND']);
      const read = await graphql<{ item: { name: string; version: number } }>(
        'query($id: ID!) { item(id: $id) { name version } }',
        {
          variables: { id: aliceItemId },
          token: alice.token,
        },
      );
      expect(read.body.data?.item).toEqual({ name: 'alice private', version: 1 });
    });

    it("a cursor from another user's listing is refused, not followed", async () => {
      await createItems(graphql, alice, ['alice second']);
      const alicePage = await graphql<{ items: { pageInfo: { endCursor: string } } }>(
        '{ items(first: 1) { pageInfo { endCursor } } }',
        { token: alice.token },
      );

      const response = await graphql(
        'query($after: String) { items(after: $after) { edges { node { name } } } }',
        {
          variables: { after: alicePage.body.data?.items.pageInfo.endCursor },
          token: mallory.token,
        },
      );

      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('User.items', () => {
    it("lists the caller's own items through me", async () => {
      const owner = await signUp(graphql);
      await createItems(graphql, owner, ['x', 'y']);

      const { body } = await graphql<{
        me: { items: { edges: { node: { name: string; owner: { id: string } } }[] } };
      }>('{ me { items { edges { node { name owner { id } } } } } }', { token: owner.token });

      expect(body.data?.me.items.edges.map((e) => e.node)).toEqual([
        { name: 'y', owner: { id: owner.id } },
        { name: 'x', owner: { id: owner.id } },
      ]);
    });

    it('is null, without an error, for a user who is not the caller', async () => {
      const someone = await signUp(graphql);
      const caller = await signUp(graphql);

      // The only way to reach another user is the payload of a sign-in done in the same request.
      const { body } = await graphql<{ login: { user: { items: unknown } } }>(
        `
          mutation ($username: String!) {
            login(input: { username: $username, password: "correct horse battery" }) {
              user {
                items {
                  edges {
                    cursor
                  }
                }
              }
            }
          }
        `,
        { variables: { username: someone.username }, token: caller.token },
      );

      expect(body.errors).toBeUndefined();
      expect(body.data?.login.user.items).toBeNull();
    });
  });

  describe('Transport', () => {
    it('answers a malformed JSON body with a GraphQL-shaped 400', async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": "{ health { status } }"',
      });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_JSON' });
      expect(body.errors[0]?.message).toMatch(/^The request body is not valid JSON/);
    });

    it('refuses a GET query without a preflight-forcing header (CSRF prevention)', async () => {
      const response = await fetch(
        `${server.url}/graphql?query=${encodeURIComponent('{ health { status } }')}`,
      );

      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/CSRF/);
    });

    it('answers a GET query that carries a preflight-forcing header', async () => {
      const response = await fetch(
        `${server.url}/graphql?query=${encodeURIComponent('{ health { status } }')}`,
        {
          headers: { 'apollo-require-preflight': 'true' },
        },
      );

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { health: { status: 'ok' } } });
    });
  });
});

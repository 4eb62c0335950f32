import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestClient, type RestClient } from '../helpers/rest-client.js';
import {
  createItem,
  pathVariants,
  registerUser,
  uniqueUsername,
  type ItemBody,
  type RegisteredUser,
} from '../helpers/rest-fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/**
 * One test per row of the contract's REST route tables, canonical and legacy, each under every
 * spelling clients use (trailing slash or not, `/api` prefix or not), over real HTTP through the
 * local server and the embedded emulator. The client validates every response against `/openapi.json`.
 */
let server: TestServer;
let client: RestClient;
let alice: RegisteredUser;

beforeAll(async () => {
  server = await startTestServer();
  client = await createRestClient(server.url);
  alice = await registerUser(client, 'alice');
});

afterAll(async () => {
  await server?.stop();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function expectToken(body: unknown): void {
  expect(body).toEqual({
    access_token: expect.any(String),
    token_type: 'bearer',
    expires_at: expect.stringMatching(ISO),
    // Added with refresh tokens (issue 14): clients of the old API ignore them.
    refresh_token: expect.any(String),
    refresh_expires_at: expect.stringMatching(ISO),
  });
}

describe('Canonical routes', () => {
  it.each(pathVariants('/health'))('GET %s answers 200 {"status":"ok"}', async (path) => {
    const response = await client.request('GET', path);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it.each(pathVariants('/user/register'))(
    'POST %s creates an account: 201 and a usable token',
    async (path) => {
      // Prepare: the legacy frontend also sends `email`, which is ignored.
      const username = uniqueUsername('reg');

      // Act
      const response = await client.request('POST', path, {
        json: { username, password: 'secret-pw', email: 'x@example.com' },
      });

      // Assess
      expect(response.status).toBe(201);
      expectToken(response.body);
      const me = await client.request('GET', '/user/me', {
        token: (response.body as { access_token: string }).access_token,
      });
      expect(me.body).toEqual({ id: expect.any(String), username, created_at: expect.stringMatching(ISO) });
    },
  );

  it.each(pathVariants('/user/login'))(
    'POST %s exchanges JSON credentials for a token (200)',
    async (path) => {
      const response = await client.request('POST', path, {
        json: { username: alice.username, password: alice.password },
      });
      expect(response.status).toBe(200);
      expectToken(response.body);
    },
  );

  it.each(pathVariants('/user/login'))('POST %s accepts the OAuth2 password form', async (path) => {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: alice.username,
      password: alice.password,
    });
    const response = await client.request('POST', path, {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
    expectToken(response.body);
  });

  it.each(pathVariants('/user/me'))('GET %s answers the caller profile', async (path) => {
    const response = await client.request('GET', path, { token: alice.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.any(String),
      username: alice.username,
      created_at: expect.stringMatching(ISO),
    });
  });

  it.each(pathVariants('/item/'))(
    'GET %s lists the caller items newest first, paged by limit and Link',
    async (path) => {
      // Prepare: a fresh user with three items.
      const user = await registerUser(client, 'lister');
      const empty = await client.request('GET', path, { token: user.token });
      expect([empty.status, empty.body, empty.headers.get('link')]).toEqual([200, [], null]);
      const created: ItemBody[] = [];
      for (const name of ['first', 'second', 'third'])
        created.push(await createItem(client, user.token, name));

      // Act
      const page1 = await client.request('GET', `${path}?limit=2`, { token: user.token });
      const next = /^<([^>]+)>; rel="next"$/.exec(page1.headers.get('link') ?? '')?.[1];
      const page2 = await client.request(
        'GET',
        new URL(next ?? 'missing-link', `${server.url}${path}`).href.slice(server.url.length),
        {
          token: user.token,
        },
      );

      // Assess
      expect((page1.body as ItemBody[]).map((i) => i.name)).toEqual(['third', 'second']);
      expect(new URL(next as string, server.url).searchParams.get('cursor')).toEqual(expect.any(String));
      expect((page2.body as ItemBody[]).map((i) => i.name)).toEqual(['first']);
      expect(page2.headers.get('link')).toBeNull();
    },
  );

  it.each(pathVariants('/item/'))('POST %s creates an item: 201, Location and ETag', async (path) => {
    const response = await client.request('POST', path, {
      token: alice.token,
      json: { name: 'Café ☕', description: 'ünïcödé', id: 'forged', owner_id: 'someone', version: 99 },
    });
    expect(response.status).toBe(201);
    const item = response.body as ItemBody;
    expect(item).toEqual({
      id: expect.any(String),
      owner_id: expect.any(String),
      name: 'Café ☕',
      description: 'ünïcödé',
      created_at: expect.stringMatching(ISO),
      updated_at: item.created_at,
      version: 1,
    });
    expect(item.id).not.toBe('forged');
    expect(response.headers.get('etag')).toBe('"1"');
    // Location is relative to the URL used, so it resolves under any prefix, stage or base path.
    const location = new URL(response.headers.get('location') ?? '', `${server.url}${path}`);
    expect(location.pathname).toBe(`${path.replace(/\/$/, '')}/${item.id}`);
    const read = await client.request('GET', location.pathname, { token: alice.token });
    expect(read.body).toEqual(item);
  });

  it.each(pathVariants('/item/{id}'))(
    'GET %s reads one item with its ETag; others get 404',
    async (template) => {
      const item = await createItem(client, alice.token, 'readable');
      const bob = await registerUser(client, 'bob');
      const path = template.replace('{id}', item.id);

      const own = await client.request('GET', path, { token: alice.token });
      const foreign = await client.request('GET', path, { token: bob.token });

      expect([own.status, own.body, own.headers.get('etag')]).toEqual([200, item, '"1"']);
      expect([foreign.status, foreign.body]).toEqual([
        404,
        { detail: expect.any(String), request_id: expect.any(String) },
      ]);
    },
  );

  it.each(
    pathVariants('/item/{id}').flatMap((p) => [
      ['PUT', p],
      ['PATCH', p],
    ]),
  )(
    '%s %s updates name and/or description; a stale If-Match gets 412 and changes nothing',
    async (method, template) => {
      const item = await createItem(client, alice.token, 'before', 'old');
      const path = template.replace('{id}', item.id);

      const renamed = await client.request(method, path, { token: alice.token, json: { name: 'after' } });
      const stale = await client.request(method, path, {
        token: alice.token,
        json: { description: 'lost' },
        headers: { 'if-match': '"1"' },
      });
      const conditional = await client.request(method, path, {
        token: alice.token,
        json: { description: 'new' },
        headers: { 'if-match': '"2"' },
      });

      expect([renamed.status, renamed.headers.get('etag')]).toEqual([200, '"2"']);
      expect(renamed.body).toMatchObject({ name: 'after', description: 'old', version: 2 });
      expect(stale.status).toBe(412);
      expect(conditional.body).toMatchObject({ name: 'after', description: 'new', version: 3 });
    },
  );

  it.each(pathVariants('/item/{id}'))(
    'DELETE %s answers 204 without a body; a stale If-Match gets 412',
    async (template) => {
      const item = await createItem(client, alice.token, 'doomed');
      const path = template.replace('{id}', item.id);

      const stale = await client.request('DELETE', path, {
        token: alice.token,
        headers: { 'if-match': '"7"' },
      });
      const deleted = await client.request('DELETE', path, {
        token: alice.token,
        headers: { 'if-match': '"1"' },
      });
      const after = await client.request('GET', `/item/${item.id}`, { token: alice.token });

      expect(stale.status).toBe(412);
      expect([deleted.status, deleted.text]).toEqual([204, '']);
      expect(after.status).toBe(404);
    },
  );

  it.each(pathVariants('/openapi.json'))('GET %s answers the OpenAPI 3.1 document', async (path) => {
    const response = await client.request('GET', path);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(client.document);
  });
});

describe('Legacy routes', () => {
  it.each(pathVariants('/user/register/'))('POST %s registers (201, as canonical)', async (path) => {
    const response = await client.request('POST', path, {
      json: { username: uniqueUsername('legacy'), password: 'secret-pw' },
    });
    expect(response.status).toBe(201);
    expectToken(response.body);
  });

  it.each(pathVariants('/user/login/'))('POST %s logs in (200, as canonical)', async (path) => {
    const response = await client.request('POST', path, {
      json: { username: alice.username, password: alice.password },
    });
    expect(response.status).toBe(200);
    expectToken(response.body);
  });

  it.each(pathVariants('/user/profile/'))('GET %s greets the caller', async (path) => {
    const response = await client.request('GET', path, { token: alice.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ message: `Welcome ${alice.username}!` });
  });

  it.each(pathVariants('/item/create/'))('POST %s creates an item with the legacy 200', async (path) => {
    const response = await client.request('POST', path, {
      token: alice.token,
      json: { name: 'legacy made' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'legacy made', description: '', version: 1 });
    expect(response.headers.get('etag')).toBe('"1"');
  });

  it.each(pathVariants('/item/read/'))('GET %s lists like GET /item/ (200 [] when empty)', async (path) => {
    const user = await registerUser(client, 'reader');
    const empty = await client.request('GET', path, { token: user.token });
    const item = await createItem(client, user.token, 'only one');
    const listed = await client.request('GET', path, { token: user.token });
    expect([empty.status, empty.body]).toEqual([200, []]);
    expect(listed.body).toEqual([item]);
  });

  it.each(pathVariants('/item/update/{id}'))('PUT %s updates like PUT /item/{id}', async (template) => {
    const item = await createItem(client, alice.token, 'legacy before');
    const response = await client.request('PUT', template.replace('{id}', item.id), {
      token: alice.token,
      json: { name: 'legacy after' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: item.id, name: 'legacy after', version: 2 });
  });

  it.each(pathVariants('/item/delete/{id}'))('DELETE %s deletes like DELETE /item/{id}', async (template) => {
    const item = await createItem(client, alice.token, 'legacy doomed');
    const response = await client.request('DELETE', template.replace('{id}', item.id), {
      token: alice.token,
    });
    const after = await client.request('GET', `/item/${item.id}`, { token: alice.token });
    expect([response.status, response.text, after.status]).toEqual([204, '', 404]);
  });
});

describe('Methods and paths', () => {
  it.each([
    ['DELETE', '/item/', 'GET, POST, HEAD, OPTIONS'],
    ['POST', '/api/item/some-id/', 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS'],
    ['PUT', '/health', 'GET, HEAD, OPTIONS'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const response = await client.request(method, path, { token: alice.token, json: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.body).toEqual({
      detail: expect.stringContaining(method),
      request_id: expect.any(String),
    });
  });

  it.each(['/health', '/api/item/read/'])('answers HEAD %s as GET, without the body', async (path) => {
    const headers = { authorization: `Bearer ${alice.token}` };
    const get = await fetch(`${server.url}${path}`, { headers });
    const head = await fetch(`${server.url}${path}`, { method: 'HEAD', headers });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(await head.text()).toBe('');
  });

  it('answers a preflight OPTIONS on a REST route with 204', async () => {
    const response = await fetch(`${server.url}/api/item/read/`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
  });

  it('answers an unknown path with 404 in the error shape, echoing X-Request-ID', async () => {
    const response = await client.request('GET', '/nowhere', { headers: { 'x-request-id': 'trace-123' } });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: 'Not Found', request_id: 'trace-123' });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
  });
});

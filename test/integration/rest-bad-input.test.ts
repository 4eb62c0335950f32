import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestClient, type RestClient, type RestResponse } from '../helpers/rest-client.js';
import { createItem, registerUser, uniqueUsername, type RegisteredUser } from '../helpers/rest-fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** Bad input gets a 4xx that says what was wrong, never a 5xx; every answer matches `/openapi.json`. */
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

interface Detail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

function expect422(response: RestResponse, loc: (string | number)[], type: string, msg?: RegExp): void {
  expect(response.status, response.text).toBe(422);
  const detail = (response.body as { detail: Detail[] }).detail;
  expect(detail).toContainEqual(
    expect.objectContaining({ loc, type, ...(msg ? { msg: expect.stringMatching(msg) } : {}) }),
  );
}

describe('Registration input', () => {
  it.each([
    ['a missing username', { password: 'secret-pw' }, ['body', 'username'], 'missing', /required/],
    [
      'a number as username',
      { username: 12345, password: 'secret-pw' },
      ['body', 'username'],
      'string_type',
      /string/,
    ],
    [
      'a too short username',
      { username: 'ab', password: 'secret-pw' },
      ['body', 'username'],
      'string_too_short',
      /at least 3/,
    ],
    [
      'a 51-character username',
      { username: 'u'.repeat(51), password: 'secret-pw' },
      ['body', 'username'],
      'string_too_long',
      /at most 50/,
    ],
    [
      'a control character in the username',
      { username: 'bad\u0007name', password: 'secret-pw' },
      ['body', 'username'],
      'string_pattern_mismatch',
      /letters, digits/,
    ],
    [
      'a space in the username',
      { username: 'two words', password: 'secret-pw' },
      ['body', 'username'],
      'string_pattern_mismatch',
      /letters, digits/,
    ],
    [
      'a short password',
      { username: uniqueUsername(), password: '12345' },
      ['body', 'password'],
      'string_too_short',
      /at least 6/,
    ],
    [
      'a password over 72 bytes of UTF-8',
      { username: uniqueUsername(), password: 'é'.repeat(40) },
      ['body', 'password'],
      'string_too_long',
      /72 bytes/,
    ],
  ])('answers 422 for %s', async (_case, json, loc, type, msg) => {
    const response = await client.request('POST', '/user/register', { json });
    expect422(response, loc, type, msg);
  });

  it('accepts letters of any script and answers 400 for a name taken in another case', async () => {
    const username = `Jöhn_${uniqueUsername('')}`;
    const first = await client.request('POST', '/user/register', {
      json: { username, password: 'secret-pw' },
    });
    const again = await client.request('POST', '/api/user/register/', {
      json: { username: username.toUpperCase(), password: 'other-pw' },
    });
    expect(first.status).toBe(201);
    expect([again.status, (again.body as { detail: string }).detail]).toEqual([
      400,
      'Username already registered',
    ]);
  });
});

describe('Credentials and tokens', () => {
  it.each([
    ['a wrong password', () => ({ username: alice.username, password: 'wrong-password' })],
    ['an unknown user', () => ({ username: uniqueUsername('ghost'), password: 'whatever-pw' })],
  ])('answers 401 Invalid credentials with WWW-Authenticate for %s', async (_case, credentials) => {
    const response = await client.request('POST', '/user/login', { json: credentials() });
    expect(response.status).toBe(401);
    expect((response.body as { detail: string }).detail).toBe('Invalid credentials');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['no Authorization header', undefined],
    ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ['garbage', 'not a token at all'],
  ])('answers 401 with WWW-Authenticate: Bearer for %s', async (_case, token) => {
    const response = await client.request('GET', '/item/', { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.body).toEqual({ detail: expect.any(String), request_id: expect.any(String) });
  });
});

describe('Request bodies', () => {
  it('answers 422 json_invalid for malformed JSON, saying where it broke', async () => {
    const response = await client.request('POST', '/item/', {
      token: alice.token,
      body: '{"name": "unterminated',
      headers: { 'content-type': 'application/json' },
    });
    expect422(response, ['body'], 'json_invalid', /JSON decode error: .+/);
  });

  it('answers 422 naming the content type when it is not JSON', async () => {
    const response = await client.request('POST', '/item/', {
      token: alice.token,
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect422(response, ['header', 'content-type'], 'content_type', /application\/json.*text\/plain/);
  });

  it('answers 422 missing for an empty body', async () => {
    const response = await client.request('POST', '/item/', {
      token: alice.token,
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expect422(response, ['body'], 'missing', /required/);
  });

  it('answers 422 when the body is not an object', async () => {
    const response = await client.request('POST', '/item/', { token: alice.token, json: ['name'] });
    expect422(response, ['body'], 'model_attributes_type');
  });

  it('answers 413 for a body over 64 KiB, on REST and on /graphql alike', async () => {
    const big = JSON.stringify({ name: 'x', description: 'y'.repeat(64 * 1024) });
    const rest = await client.request('POST', '/item/', {
      token: alice.token,
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    const graphql = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, padding: 'z'.repeat(64 * 1024) }),
    });
    expect(rest.status).toBe(413);
    expect((rest.body as { detail: string }).detail).toMatch(/65536 bytes/);
    expect(graphql.status).toBe(413);
  });
});

describe('Item fields', () => {
  it.each([
    ['a missing name', { description: 'd' }, ['body', 'name'], 'missing'],
    ['a blank name', { name: '   ' }, ['body', 'name'], 'value_error'],
    ['a 201-character name', { name: 'n'.repeat(201) }, ['body', 'name'], 'string_too_long'],
    [
      'a 2001-character description',
      { name: 'ok', description: 'd'.repeat(2001) },
      ['body', 'description'],
      'string_too_long',
    ],
    ['a number as name', { name: 42 }, ['body', 'name'], 'string_type'],
  ])('create answers 422 for %s', async (_case, json, loc, type) => {
    const response = await client.request('POST', '/item/', { token: alice.token, json });
    expect422(response, loc, type);
  });

  it('stores unicode and control characters in names exactly as sent', async () => {
    const name = 'Zoë 🍕 \u0007bell\ttab 中文';
    const item = await createItem(client, alice.token, name, 'line1\nline2 \u202Ertl');
    const read = await client.request('GET', `/item/${item.id}`, { token: alice.token });
    expect(read.body).toMatchObject({ name, description: 'line1\nline2 \u202Ertl' });
  });

  it.each([
    ['null as name', { name: null }, ['body', 'name'], 'string_type'],
    ['null as description', { description: null }, ['body', 'description'], 'string_type'],
    ['no field at all', {}, ['body'], 'value_error'],
    ['only unknown fields', { owner_id: 'someone-else', version: 9 }, ['body'], 'value_error'],
  ])('update answers 422 for %s and changes nothing', async (_case, json, loc, type) => {
    const item = await createItem(client, alice.token, 'unchanged');
    const response = await client.request('PUT', `/item/${item.id}`, { token: alice.token, json });
    const after = await client.request('GET', `/item/${item.id}`, { token: alice.token });
    expect422(response, loc, type);
    expect(after.body).toEqual(item);
  });
});

describe('Forged ids, cursors and headers', () => {
  it.each([
    ['an id that does not exist', '/item/00000000-0000-4000-8000-000000000000', 404],
    ['an id with a NUL byte', '/item/%00', 422],
    ['an id of 300 characters', `/item/${'a'.repeat(300)}`, 422],
    ['an id with a quote', `/item/abc'def`, 422],
  ])('GET answers 4xx for %s', async (_case, path, status) => {
    const response = await client.request('GET', path, { token: alice.token });
    expect(response.status).toBe(status);
    if (status === 422) expect422(response, ['path', 'id'], 'string_pattern_mismatch', /Item id/);
  });

  it("answers 404 for another user's item on read, update and delete, and changes nothing", async () => {
    const item = await createItem(client, alice.token, 'private');
    const mallory = await registerUser(client, 'mallory');
    const read = await client.request('GET', `/item/${item.id}`, { token: mallory.token });
    const update = await client.request('PUT', `/item/update/${item.id}`, {
      token: mallory.token,
      json: { name: 'mine' },
    });
    const remove = await client.request('DELETE', `/item/delete/${item.id}`, { token: mallory.token });
    expect([read.status, update.status, remove.status]).toEqual([404, 404, 404]);
    expect((await client.request('GET', `/item/${item.id}`, { token: alice.token })).body).toEqual(item);
  });

  it.each([
    ['a forged cursor', '?cursor=bm90LWEtY3Vyc29y', ['query', 'cursor']],
    ['a limit of 0', '?limit=0', ['query', 'limit']],
    ['a limit of 101', '?limit=101', ['query', 'limit']],
    ['a limit that is not a number', '?limit=ten', ['query', 'limit']],
    ['a limit in exponent notation', '?limit=1e1', ['query', 'limit']],
    ['a limit in hexadecimal', '?limit=0x10', ['query', 'limit']],
    ['an empty limit', '?limit=', ['query', 'limit']],
  ])('list answers 422 for %s', async (_case, query, loc) => {
    const response = await client.request('GET', `/item/${query}`, { token: alice.token });
    expect(response.status, response.text).toBe(422);
    expect((response.body as { detail: Detail[] }).detail).toContainEqual(expect.objectContaining({ loc }));
  });

  it('answers 422 for an If-Match that is not an ETag', async () => {
    const item = await createItem(client, alice.token, 'guarded');
    const response = await client.request('PUT', `/item/${item.id}`, {
      token: alice.token,
      json: { name: 'x' },
      headers: { 'if-match': 'version one' },
    });
    expect422(response, ['header', 'if-match'], 'value_error', /ETag/);
  });
  it.each([
    ['a weak ETag', 'W/"1"'],
    ['a version never issued', '"0"'],
    ['a tag that is no version', '"abc"'],
  ])('answers 412 for %s in If-Match, and changes nothing', async (_what, ifMatch) => {
    const item = await createItem(client, alice.token, 'guarded');
    const response = await client.request('DELETE', `/item/${item.id}`, {
      token: alice.token,
      headers: { 'if-match': ifMatch },
    });
    const after = await client.request('GET', `/item/${item.id}`, { token: alice.token });
    expect(response.status).toBe(412);
    expect(response.body).toEqual({
      detail: expect.stringContaining('If-Match'),
      request_id: expect.any(String),
    });
    expect(after.status).toBe(200);
  });
});

describe('Database outage', () => {
  it('answers 503 with Retry-After when the database is unreachable, and the health check stays up', async () => {
    // Prepare: a second server on the first one's emulator, which is then stopped.
    const database = await startTestServer();
    const api = await startTestServer({ DYNAMODB_ENDPOINT: database.dynamodbEndpoint });
    try {
      const outageClient = await createRestClient(api.url);
      const user = await registerUser(outageClient, 'outage');
      await database.stop();

      // Act
      const list = await outageClient.request('GET', '/item/', { token: user.token });
      const health = await outageClient.request('GET', '/health');

      // Assess
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((list.body as { detail: string }).detail).not.toMatch(/ECONNREFUSED|dynamo/i);
      expect(health.status).toBe(200);
    } finally {
      await api.stop();
      await database.stop().catch(() => undefined);
    }
  });
});

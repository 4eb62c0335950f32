import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBackendApp, type AppUser, type BackendApp } from '../helpers/backend-app.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { recordCalls, type CallRecorder } from '../helpers/dynamodb-recorder.js';
import { errorCodes } from '../helpers/graphql.js';
import type { HandlerResponse } from '../helpers/rest-through-handler.js';

interface ItemBody {
  readonly id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly version: number;
}

const CREATE_ITEM = `
  mutation Create($input: CreateItemInput!, $key: String) {
    createItem(input: $input, idempotencyKey: $key) { id name version }
  }
`;

let keyCounter = 0;
const newKey = () => `key-${process.pid}-${Date.now().toString(36)}-${++keyCounter}`;

/**
 * Issue 15.3: `Idempotency-Key` on `POST /item/` and `POST /item/create/`, and
 * `createItem(idempotencyKey:)`. A client that retries a create whose answer it never got
 * gets the first result again, never a second item.
 */
describe.each(dynamoBackends)('Idempotency-Key on item creation on $name', (backend) => {
  let service: BackendApp;
  let recorder: CallRecorder;
  let user: AppUser;

  beforeAll(async () => {
    service = await startBackendApp(backend);
    recorder = recordCalls(service.app.client);
  });
  afterAll(() => service?.close());
  // A fresh user per test, so that "the listing holds one" is about this test's items only.
  beforeEach(async () => {
    user = await service.signUp('keyed');
  });

  const create = (key: string, json: unknown, path = '/item/', token = user.token) =>
    service.rest('POST', path, { token, json, headers: { 'Idempotency-Key': key } });
  const listing = async (token = user.token) =>
    ((await service.rest('GET', '/item/', { token })).body as ItemBody[]).map((item) => item.id);
  const expect422AtTheKey = (response: HandlerResponse) => {
    expect(response.status, response.text).toBe(422);
    expect((response.body as { detail: { loc: string[] }[] }).detail).toEqual([
      expect.objectContaining({ loc: ['header', 'idempotency-key'] }),
    ]);
  };

  it('answers a repeat on POST /item/ with the first result: same id and status, one item', async () => {
    // Prepare
    const key = newKey();
    const first = await create(key, { name: 'once', description: 'only once' });

    // Act
    const repeat = await create(key, { name: 'once', description: 'only once' });

    // Assess
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.location).toBe(first.headers.location);
    expect(await listing()).toEqual([(first.body as ItemBody).id]);
  });

  it('answers a repeat on the legacy POST /item/create/ with the first result, 200 both times', async () => {
    // Prepare
    const key = newKey();
    const first = await create(key, { name: 'legacy once' }, '/item/create/');

    // Act
    const repeat = await create(key, { name: 'legacy once' }, '/item/create/');

    // Assess
    expect([first.status, repeat.status]).toEqual([200, 200]);
    expect(repeat.body).toEqual(first.body);
    expect(await listing()).toEqual([(first.body as ItemBody).id]);
  });

  it('treats the quoted and the bare spelling of a key as one key', async () => {
    // Prepare
    const key = newKey();
    const bare = await create(key, { name: 'spelled twice' });

    // Act
    const quoted = await create(`"${key}"`, { name: 'spelled twice' });

    // Assess
    expect(quoted.status).toBe(201);
    expect((quoted.body as ItemBody).id).toBe((bare.body as ItemBody).id);
    expect(await listing()).toHaveLength(1);
  });

  it('answers 422 at the header for the same key with another body, and changes nothing', async () => {
    // Prepare
    const key = newKey();
    const first = await create(key, { name: 'original' });

    // Act
    const other = await create(key, { name: 'something else' });

    // Assess
    expect422AtTheKey(other);
    const read = await service.rest('GET', `/item/${(first.body as ItemBody).id}`, { token: user.token });
    expect(read.body).toEqual(first.body);
    expect(await listing()).toHaveLength(1);
  });

  it("gives another user's same key their own new item", async () => {
    // Prepare
    const key = newKey();
    const mine = await create(key, { name: 'shared key' });
    const someoneElse = await service.signUp('other');

    // Act
    const theirs = await create(key, { name: 'shared key' }, '/item/', someoneElse.token);

    // Assess
    expect(theirs.status).toBe(201);
    expect((theirs.body as ItemBody).owner_id).toBe(someoneElse.id);
    expect((theirs.body as ItemBody).id).not.toBe((mine.body as ItemBody).id);
    expect(await listing()).toEqual([(mine.body as ItemBody).id]);
    expect(await listing(someoneElse.token)).toEqual([(theirs.body as ItemBody).id]);
  });

  it('answers two requests sent at once with the same key with one item, to both', async () => {
    // Prepare
    const key = newKey();

    // Act
    const [a, b] = await Promise.all([
      create(key, { name: 'raced', description: 'twice at once' }),
      create(key, { name: 'raced', description: 'twice at once' }),
    ]);

    // Assess
    expect([a?.status, b?.status]).toEqual([201, 201]);
    expect(b?.body).toEqual(a?.body);
    expect(await listing()).toEqual([(a?.body as ItemBody).id]);
    expect(await service.liveRowsOf(user.id)).toHaveLength(1);
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['a control character', 'key\u0001with-control'],
    ['a newline', 'key\nwith-newline'],
    ['a non-ASCII character', 'clé'],
    ['nothing between its quotes', '""'],
  ])('answers 422 at the header for a key of %s, and creates nothing', async (_what, key) => {
    // Act
    const response = await create(key, { name: 'refused' });

    // Assess
    expect422AtTheKey(response);
    expect(await listing()).toEqual([]);
  });

  it('accepts a key of 255 characters, bare or quoted', async () => {
    // Prepare
    const key = `${newKey()}-`.padEnd(255, 'k');

    // Act
    const bare = await create(key, { name: 'long key' });
    const quoted = await create(`"${key}"`, { name: 'long key' });

    // Assess
    expect([bare.status, quoted.status]).toEqual([201, 201]);
    expect((quoted.body as ItemBody).id).toBe((bare.body as ItemBody).id);
  });

  it('creates with ONE DynamoDB call, and answers a repeat without a second item', async () => {
    // Prepare
    const key = newKey();
    recorder.reset();

    // Act
    const first = await create(key, { name: 'counted' });
    const firstCalls = recorder.operations();
    recorder.reset();
    const repeat = await create(key, { name: 'counted' });
    const repeatCalls = recorder.operations();

    // Assess
    expect(firstCalls).toEqual(['PutItem']);
    // The repeat's put fails its condition; the item comes with the failure (DynamoDB) or from one
    // consistent read on that path (dynalite returns none).
    expect(repeatCalls[0]).toBe('PutItem');
    expect(repeatCalls.filter((operation) => operation !== 'GetItem')).toEqual(['PutItem']);
    expect(repeat.body).toEqual(first.body);
    expect(await listing()).toHaveLength(1);
  });

  it('works again once its item is deleted: a new item', async () => {
    // Prepare
    const key = newKey();
    const first = await create(key, { name: 'short-lived' });
    await service.rest('DELETE', `/item/${(first.body as ItemBody).id}`, { token: user.token });

    // Act
    const again = await create(key, { name: 'second life' });

    // Assess
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ name: 'second life', version: 1, owner_id: user.id });
    expect(await listing()).toEqual([(again.body as ItemBody).id]);
  });

  describe('GraphQL createItem(idempotencyKey:)', () => {
    it('answers a repeat with the first item, and creates one', async () => {
      // Prepare
      const variables = { input: { name: 'graphql once' }, key: newKey() };
      const first = await service.graphql(CREATE_ITEM, { token: user.token, variables });

      // Act
      const repeat = await service.graphql(CREATE_ITEM, { token: user.token, variables });

      // Assess
      expect(repeat.body).toEqual(first.body);
      expect(first.body.data?.createItem).toMatchObject({ name: 'graphql once', version: 1 });
      expect(await listing()).toHaveLength(1);
    });

    it('refuses the same key with another input as BAD_USER_INPUT, and changes nothing', async () => {
      // Prepare
      const key = newKey();
      const first = await service.graphql(CREATE_ITEM, {
        token: user.token,
        variables: { input: { name: 'a' }, key },
      });

      // Act
      const other = await service.graphql(CREATE_ITEM, {
        token: user.token,
        variables: { input: { name: 'b' }, key },
      });

      // Assess
      expect(first.body.errors).toBeUndefined();
      expect(errorCodes(other)).toEqual(['BAD_USER_INPUT']);
      expect(other.body.data).toBeNull();
      expect(await listing()).toHaveLength(1);
    });

    it('shares the key with the REST header, as the schema says', async () => {
      // Prepare
      const key = newKey();
      const rest = await create(key, { name: 'either way' });

      // Act
      const graphql = await service.graphql<{ createItem: { id: string } }>(CREATE_ITEM, {
        token: user.token,
        variables: { input: { name: 'either way' }, key },
      });

      // Assess
      expect(graphql.body.data?.createItem.id).toBe((rest.body as ItemBody).id);
      expect(await listing()).toHaveLength(1);
    });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBackendApp, type AppUser, type BackendApp, type StoredRow } from '../helpers/backend-app.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { loseFirstResponses, type LostResponses } from '../helpers/lost-responses.js';
import type { HandlerResponse } from '../helpers/rest-through-handler.js';
import type { ItemBody } from '../helpers/rest-fixtures.js';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** What a stored live row says, in the API's words, to compare with what the API answered. */
const asStored = (row: StoredRow | undefined) =>
  row && { id: row.id, owner_id: row.owner_id, name: row.name, version: row.version };

/**
 * Issue 15.2: a write whose answer is lost after it landed is retried by the SDK, and the
 * retry must be answered as the first attempt would have been; the table must hold what one
 * application of each write leaves. In each test, every item write the Act step makes loses
 * its first answer.
 */
describe.each(dynamoBackends)('Retried item writes on $name', (backend) => {
  let service: BackendApp;
  let faults: LostResponses | undefined;

  beforeAll(async () => {
    service = await startBackendApp(backend);
  });
  afterAll(() => service?.close());
  afterEach(() => {
    faults?.remove();
    faults = undefined;
  });

  /** From now on in this test, every item write's first answer is lost; returns how many were. */
  const loseAnswers = (): (() => number) => {
    const installed = loseFirstResponses(service.app.client, {
      when: (operation, input) => WRITES.has(operation) && input.TableName === service.tables.items,
    });
    faults = installed;
    return installed.lost;
  };

  const create = (user: AppUser, name: string, path = '/item/') =>
    service.rest('POST', path, { token: user.token, json: { name, description: `about ${name}` } });
  const createdItem = async (user: AppUser, name: string): Promise<ItemBody> => {
    const response = await create(user, name);
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
    return response.body as ItemBody;
  };
  const summary = (response: HandlerResponse) => `${response.status} ${response.text}`;

  describe('a retry of a write that landed is answered as the first attempt', () => {
    it('create on POST /item/ answers 201 with the item, and stores it once', async () => {
      // Prepare
      const user = await service.signUp('creator');
      const names = ['one', 'two', 'three', 'four', 'five', 'six'];
      const lost = loseAnswers();

      // Act
      const responses = [];
      for (const name of names) responses.push(await create(user, name));

      // Assess
      expect(responses.map(summary)).toEqual(names.map(() => expect.stringMatching(/^201 /)));
      const bodies = responses.map((response) => response.body as ItemBody);
      expect(bodies.map((body) => [body.name, body.owner_id, body.version])).toEqual(
        names.map((name) => [name, user.id, 1]),
      );
      const stored = await service.liveRowsOf(user.id);
      expect(stored.map(asStored).sort(byId)).toEqual(
        bodies.map((body) => ({ id: body.id, owner_id: user.id, name: body.name, version: 1 })).sort(byId),
      );
      expect(lost()).toBe(names.length);
    });

    it('create on the legacy POST /item/create/ answers 200 with the item, and stores it once', async () => {
      // Prepare
      const user = await service.signUp('legacy');
      const names = ['first', 'second', 'third', 'fourth'];
      const lost = loseAnswers();

      // Act
      const responses = [];
      for (const name of names) responses.push(await create(user, name, '/item/create/'));

      // Assess
      expect(responses.map(summary)).toEqual(names.map(() => expect.stringMatching(/^200 /)));
      const ids = responses.map((response) => (response.body as ItemBody).id);
      const stored = await service.liveRowsOf(user.id);
      expect(stored.map((row) => row.id).sort()).toEqual([...ids].sort());
      expect(stored.map((row) => row.name).sort()).toEqual([...names].sort());
      expect(lost()).toBe(names.length);
    });

    it('update without If-Match answers 200 and bumps the version exactly once', async () => {
      // Prepare
      const user = await service.signUp('updater');
      const items = [
        await createdItem(user, 'a'),
        await createdItem(user, 'b'),
        await createdItem(user, 'c'),
      ];
      const lost = loseAnswers();

      // Act
      const first = [];
      for (const item of items)
        first.push(
          await service.rest('PUT', `/item/${item.id}`, { token: user.token, json: { name: 'renamed' } }),
        );
      const second = [];
      for (const item of items)
        second.push(
          await service.rest('PATCH', `/item/${item.id}`, { token: user.token, json: { description: 'd2' } }),
        );

      // Assess
      expect(first.map((r) => [r.status, (r.body as ItemBody).version, r.headers.etag])).toEqual(
        items.map(() => [200, 2, '"2"']),
      );
      expect(second.map((r) => [r.status, (r.body as ItemBody).version, r.headers.etag])).toEqual(
        items.map(() => [200, 3, '"3"']),
      );
      for (const item of items) {
        expect(await service.storedRow(item.id)).toMatchObject({
          name: 'renamed',
          description: 'd2',
          version: 3,
        });
      }
      expect(lost()).toBe(2 * items.length);
    });

    it('update with a current If-Match answers 200 with the new version', async () => {
      // Prepare
      const user = await service.signUp('matcher');
      const items = [
        await createdItem(user, 'x'),
        await createdItem(user, 'y'),
        await createdItem(user, 'z'),
      ];
      const lost = loseAnswers();

      // Act
      const responses = [];
      for (const item of items)
        responses.push(
          await service.rest('PUT', `/item/update/${item.id}`, {
            token: user.token,
            json: { name: `${item.name}-v2` },
            headers: { 'If-Match': '"1"' },
          }),
        );

      // Assess
      expect(
        responses.map((r) => [r.status, (r.body as ItemBody).name, (r.body as ItemBody).version]),
      ).toEqual(items.map((item) => [200, `${item.name}-v2`, 2]));
      for (const item of items) {
        expect(await service.storedRow(item.id)).toMatchObject({ name: `${item.name}-v2`, version: 2 });
      }
      expect(lost()).toBe(items.length);
    });

    it('delete without If-Match answers 204 and leaves no item', async () => {
      // Prepare
      const user = await service.signUp('deleter');
      const items = [
        await createdItem(user, 'p'),
        await createdItem(user, 'q'),
        await createdItem(user, 'r'),
      ];
      const lost = loseAnswers();

      // Act
      const responses = [];
      for (const item of items)
        responses.push(await service.rest('DELETE', `/item/${item.id}`, { token: user.token }));

      // Assess
      expect(responses.map(summary)).toEqual(items.map(() => '204 '));
      expect(await service.liveRowsOf(user.id)).toEqual([]);
      const reads = await Promise.all(
        items.map((item) => service.rest('GET', `/item/${item.id}`, { token: user.token })),
      );
      expect(reads.map((r) => r.status)).toEqual(items.map(() => 404));
      expect(lost()).toBe(items.length);
    });

    it('delete with a current If-Match answers 204 and leaves no item', async () => {
      // Prepare
      const user = await service.signUp('guarded');
      const items = [await createdItem(user, 'm'), await createdItem(user, 'n')];
      const lost = loseAnswers();

      // Act
      const responses = [];
      for (const item of items)
        responses.push(
          await service.rest('DELETE', `/item/delete/${item.id}`, {
            token: user.token,
            headers: { 'If-Match': '"1"' },
          }),
        );

      // Assess
      expect(responses.map(summary)).toEqual(items.map(() => '204 '));
      expect(await service.liveRowsOf(user.id)).toEqual([]);
      expect(lost()).toBe(items.length);
    });

    it('a mixed run of writes gets no wrong answer and no 500, and the table holds one application of each', async () => {
      // Prepare: the expected state, written by hand as the API promises it.
      const user = await service.signUp('mixed');
      const expected = new Map<string, { name: string; version: number }>();
      const wrong: string[] = [];
      const check = (what: string, response: HandlerResponse, status: number) => {
        if (response.status !== status) wrong.push(`${what}: expected ${status}, got ${summary(response)}`);
      };
      const lost = loseAnswers();

      // Act
      for (let round = 0; round < 6; round++) {
        const canonical = await create(user, `item ${round}`);
        check(`create ${round}`, canonical, 201);
        const legacy = await create(user, `legacy ${round}`, '/item/create/');
        check(`legacy create ${round}`, legacy, 200);
        const a = canonical.body as ItemBody;
        const b = legacy.body as ItemBody;
        const renamed = await service.rest('PUT', `/item/${a.id}`, {
          token: user.token,
          json: { name: `item ${round} v2` },
          headers: round % 2 === 0 ? { 'If-Match': '"1"' } : {},
        });
        check(`update ${round}`, renamed, 200);
        if ((renamed.body as ItemBody | undefined)?.version !== 2)
          wrong.push(`update ${round}: ${renamed.text}`);
        expected.set(a.id, { name: `item ${round} v2`, version: 2 });
        const removed = await service.rest('DELETE', `/item/${b.id}`, {
          token: user.token,
          headers: round % 2 === 1 ? { 'If-Match': '"1"' } : {},
        });
        check(`delete ${round}`, removed, 204);
      }

      // Assess
      expect(wrong).toEqual([]);
      const stored = await service.liveRowsOf(user.id);
      expect(new Map(stored.map((row) => [row.id, { name: row.name, version: row.version }]))).toEqual(
        expected,
      );
      expect(lost()).toBe(6 * 4);
    });
  });

  describe('a write that truly conflicts is still refused, its answer lost or not', () => {
    let owner: AppUser;
    let other: AppUser;
    beforeAll(async () => {
      owner = await service.signUp('owner');
      other = await service.signUp('other');
    });

    it('update with a stale If-Match answers 412 and changes nothing', async () => {
      // Prepare
      const item = await createdItem(owner, 'stale');
      await service.rest('PUT', `/item/${item.id}`, { token: owner.token, json: { name: 'moved on' } });
      const lost = loseAnswers();

      // Act
      const response = await service.rest('PUT', `/item/${item.id}`, {
        token: owner.token,
        json: { name: 'too late' },
        headers: { 'If-Match': '"1"' },
      });

      // Assess
      expect(response.status).toBe(412);
      expect(asStored(await service.storedRow(item.id))).toEqual({
        id: item.id,
        owner_id: owner.id,
        name: 'moved on',
        version: 2,
      });
      expect(lost()).toBe(1);
    });

    it('delete with a stale If-Match answers 412 and keeps the item', async () => {
      // Prepare
      const item = await createdItem(owner, 'kept');
      await service.rest('PUT', `/item/${item.id}`, { token: owner.token, json: { name: 'kept v2' } });
      const lost = loseAnswers();

      // Act
      const response = await service.rest('DELETE', `/item/${item.id}`, {
        token: owner.token,
        headers: { 'If-Match': '"1"' },
      });

      // Assess
      expect(response.status).toBe(412);
      expect(asStored(await service.storedRow(item.id))).toMatchObject({ name: 'kept v2', version: 2 });
      expect(lost()).toBe(1);
    });

    it('update and delete of an item that does not exist answer 404 and store nothing', async () => {
      // Prepare
      const id = '00000000-0000-4000-8000-00000000dead';
      const lost = loseAnswers();

      // Act
      const update = await service.rest('PUT', `/item/${id}`, {
        token: owner.token,
        json: { name: 'ghost' },
      });
      const remove = await service.rest('DELETE', `/item/${id}`, { token: owner.token });

      // Assess
      expect([update.status, remove.status]).toEqual([404, 404]);
      expect(await service.storedRow(id)).toBeUndefined();
      expect(lost()).toBe(2);
    });

    it("update and delete of another user's item answer 404 and change nothing", async () => {
      // Prepare
      const item = await createdItem(owner, 'mine');
      const lost = loseAnswers();

      // Act
      const update = await service.rest('PUT', `/item/${item.id}`, {
        token: other.token,
        json: { name: 'theirs' },
      });
      const guarded = await service.rest('PUT', `/item/${item.id}`, {
        token: other.token,
        json: { name: 'theirs' },
        headers: { 'If-Match': '"1"' },
      });
      const remove = await service.rest('DELETE', `/item/${item.id}`, { token: other.token });

      // Assess
      expect([update.status, guarded.status, remove.status]).toEqual([404, 404, 404]);
      expect(asStored(await service.storedRow(item.id))).toEqual({
        id: item.id,
        owner_id: owner.id,
        name: 'mine',
        version: 1,
      });
      expect(lost()).toBe(3);
    });
  });

  describe('GraphQL mutations get the same answers as REST', () => {
    it('createItem, updateItem and deleteItem with expectedVersion answer without an error', async () => {
      // Prepare
      const user = await service.signUp('graphql');
      const lost = loseAnswers();

      // Act
      const created = await service.graphql<{ createItem: { id: string; version: number } }>(
        'mutation { createItem(input: { name: "via graphql" }) { id version } }',
        { token: user.token },
      );
      const id = created.body.data?.createItem.id ?? '';
      const updated = await service.graphql<{ updateItem: { name: string; version: number } }>(
        `mutation { updateItem(id: "${id}", input: { name: "renamed" }, expectedVersion: 1) { name version } }`,
        { token: user.token },
      );
      const deleted = await service.graphql<{ deleteItem: string }>(
        `mutation { deleteItem(id: "${id}", expectedVersion: 2) }`,
        { token: user.token },
      );

      // Assess
      expect([created.body.errors, updated.body.errors, deleted.body.errors]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(created.body.data?.createItem.version).toBe(1);
      expect(updated.body.data?.updateItem).toEqual({ name: 'renamed', version: 2 });
      expect(deleted.body.data?.deleteItem).toBe(id);
      expect(await service.liveRowsOf(user.id)).toEqual([]);
      expect(lost()).toBe(3);
    });
  });

  describe('account writes (the contract: a write is answered exactly once in effect)', () => {
    /** Loses the first answer of the registration's put whose row id matches `which`. */
    const loseRegistrationAnswer = (which: 'name marker' | 'user record') => {
      const installed = loseFirstResponses(service.app.client, {
        when: (operation, input) => {
          const id = (input.Item as { id?: { S?: string } } | undefined)?.id?.S ?? '';
          return operation === 'PutItem' && id.startsWith('username#') === (which === 'name marker');
        },
      });
      faults = installed;
      return installed.lost;
    };

    it.each(['name marker', 'user record'] as const)(
      'register whose %s answer is lost answers 201, and the account is whole',
      async (which) => {
        // Prepare
        const username = `lost_${which.replace(' ', '_')}_${Date.now().toString(36)}`;
        const lost = loseRegistrationAnswer(which);

        // Act
        const registered = await service.rest('POST', '/user/register', {
          json: { username, password: 'correct horse battery' },
        });

        // Assess
        faults?.remove();
        expect(lost()).toBe(1);
        expect(registered.status, registered.text).toBe(201);
        const token = (registered.body as { access_token?: string }).access_token;
        const me = await service.rest('GET', '/user/me', { token });
        expect(me.status, me.text).toBe(200);
        expect(me.body).toMatchObject({ username });
      },
    );
  });
});

function byId(a: { id?: unknown } | undefined, b: { id?: unknown } | undefined): number {
  return String(a?.id).localeCompare(String(b?.id));
}

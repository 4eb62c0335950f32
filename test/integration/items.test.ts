import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/domain/entities.js';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../src/domain/errors.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import {
  rejection,
  startDataLayer,
  undeclaredActions,
  type DataLayer,
  type TestAccount,
} from '../helpers/data-layer.js';

describe.each(dynamoBackends)('Items on $name', (backend) => {
  let db: DataLayer;
  let alice: TestAccount;
  let bob: TestAccount;
  beforeAll(async () => {
    db = await startDataLayer(backend);
    alice = await db.signUp('alice');
    bob = await db.signUp('bob');
  });
  afterAll(async () => {
    await db?.close();
  });

  describe('Method: create', () => {
    it('stores the item with server-owned fields and a default description', async () => {
      // Act
      const item = await alice.items().create(alice.caller, { name: 'Pen' });

      // Assess
      expect(item).toEqual({
        id: expect.any(String),
        ownerId: alice.caller.userId,
        name: 'Pen',
        description: '',
        createdAt: item.updatedAt,
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(await alice.items().get(alice.caller, item.id)).toEqual(item);
    });

    it('ignores client attempts to set server-owned fields', async () => {
      const input = { name: 'Sneaky', id: 'chosen', ownerId: bob.caller.userId, version: 99 } as {
        name: string;
      };
      const item = await alice.items().create(alice.caller, input);
      expect(item).toMatchObject({ ownerId: alice.caller.userId, version: 1 });
      expect(item.id).not.toBe('chosen');
    });

    it.each([
      [{}, ['name'], 'missing'],
      [{ name: 7 }, ['name'], 'string_type'],
      [{ name: '' }, ['name'], 'string_too_short'],
      [{ name: '   ' }, ['name'], 'value_error'],
      [{ name: 'n'.repeat(201) }, ['name'], 'string_too_long'],
      [{ name: 'ok', description: 5 }, ['description'], 'string_type'],
      [{ name: 'ok', description: 'd'.repeat(2001) }, ['description'], 'string_too_long'],
    ])('refuses %j with an issue at %j of type %s', async (input, path, type) => {
      const error = await rejection(
        alice.items().create(alice.caller, input as { name: unknown }),
        ValidationError,
      );
      expect(error.issues).toEqual([{ path, message: expect.any(String), type }]);
    });

    it('reads a null description as an empty one, as the schema documents', async () => {
      const item = await alice.items().create(alice.caller, { name: 'no description', description: null });
      expect(item.description).toBe('');
    });

    it('accepts the longest name and description', async () => {
      const item = await alice
        .items()
        .create(alice.caller, { name: 'n'.repeat(200), description: 'd'.repeat(2000) });
      expect(item.name).toHaveLength(200);
      expect(item.description).toHaveLength(2000);
    });
  });

  describe('Method: update', () => {
    it('changes the given fields and bumps version and updatedAt', async () => {
      // Prepare
      const item = await alice.items().create(alice.caller, { name: 'Cup', description: 'blue' });

      // Act
      const updated = await alice.items().update(alice.caller, item.id, { description: 'red' }, 1);

      // Assess
      expect(updated).toEqual({ ...item, description: 'red', version: 2, updatedAt: expect.any(String) });
      expect(updated.updatedAt >= item.updatedAt).toBe(true);
      expect(await alice.items().get(alice.caller, item.id)).toEqual(updated);
    });

    it('lets exactly one of two concurrent updates of one version win', async () => {
      // Prepare
      const item = await alice.items().create(alice.caller, { name: 'Contested' });

      // Act
      const results = await Promise.allSettled([
        alice.items().update(alice.caller, item.id, { name: 'first' }, item.version),
        alice.items().update(alice.caller, item.id, { name: 'second' }, item.version),
      ]);

      // Assess
      const won = results.filter((r): r is PromiseFulfilledResult<Item> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(PreconditionFailedError);
      const stored = await alice.items().get(alice.caller, item.id);
      expect(stored).toEqual(won[0]!.value);
      expect(stored.version).toBe(2);
    });

    it('without an expected version, applies every update in turn', async () => {
      const item = await alice.items().create(alice.caller, { name: 'Counter' });
      await alice.items().update(alice.caller, item.id, { name: 'a' });
      const last = await alice.items().update(alice.caller, item.id, { name: 'b' });
      expect(last).toMatchObject({ name: 'b', version: 3 });
    });

    it.each([
      [{}, [], 'value_error'],
      [{ name: null }, ['name'], 'string_type'],
      [{ description: 'd'.repeat(2001) }, ['description'], 'string_too_long'],
    ])('refuses the patch %j', async (patch, path, type) => {
      const item = await alice.items().create(alice.caller, { name: 'Stable' });
      const error = await rejection(
        alice.items().update(alice.caller, item.id, patch as { name?: unknown }),
        ValidationError,
      );
      expect(error.issues).toEqual([{ path, message: expect.any(String), type }]);
    });

    it('is NotFoundError for a missing item, even with a version', async () => {
      await rejection(alice.items().update(alice.caller, 'no-such-item', { name: 'x' }), NotFoundError);
      await rejection(alice.items().update(alice.caller, 'no-such-item', { name: 'x' }, 1), NotFoundError);
    });
  });

  describe('Method: delete', () => {
    it('removes the item', async () => {
      const item = await alice.items().create(alice.caller, { name: 'Gone' });
      await alice.items().delete(alice.caller, item.id);
      await rejection(alice.items().get(alice.caller, item.id), NotFoundError);
      await rejection(alice.items().delete(alice.caller, item.id), NotFoundError);
    });

    it('with a stale version is PreconditionFailedError and deletes nothing', async () => {
      const item = await alice.items().create(alice.caller, { name: 'Kept' });
      await alice.items().update(alice.caller, item.id, { name: 'Kept 2' });
      await rejection(alice.items().delete(alice.caller, item.id, 1), PreconditionFailedError);
      expect(await alice.items().get(alice.caller, item.id)).toMatchObject({ name: 'Kept 2', version: 2 });
    });
  });

  describe("Another user's item (BOLA)", () => {
    it('can be neither read, listed, updated nor deleted, and stays unchanged', async () => {
      // Prepare
      const item = await alice.items().create(alice.caller, { name: 'Private', description: 'secret' });

      // Act & Assess
      await rejection(bob.items().get(bob.caller, item.id), NotFoundError);
      expect(await bob.items().getMany(bob.caller, [item.id])).toEqual([null]);
      const bobsList = await bob.items().list(bob.caller, { limit: 100 });
      expect(bobsList.items.map((i) => i.id)).not.toContain(item.id);
      await rejection(bob.items().update(bob.caller, item.id, { name: 'mine now' }), NotFoundError);
      await rejection(bob.items().update(bob.caller, item.id, { name: 'mine now' }, 1), NotFoundError);
      await rejection(bob.items().delete(bob.caller, item.id), NotFoundError);
      await rejection(bob.items().delete(bob.caller, item.id, 1), NotFoundError);
      expect(await alice.items().get(alice.caller, item.id)).toEqual(item);
    });

    it("refuses Alice's cursor in Bob's listing", async () => {
      for (let i = 0; i < 3; i++) await alice.items().create(alice.caller, { name: `page ${i}` });
      const page = await alice.items().list(alice.caller, { limit: 1 });
      const error = await rejection(
        bob.items().list(bob.caller, { cursor: page.nextCursor }),
        ValidationError,
      );
      expect(error.issues).toEqual([{ path: ['cursor'], message: expect.any(String), type: 'value_error' }]);
    });
  });

  describe('Method: list', () => {
    it('walks every item newest first across pages, without duplicates or gaps', async () => {
      // Prepare
      const owner = await db.signUp('lister');
      const created: Item[] = [];
      for (let i = 0; i < 23; i++)
        created.push(await owner.items().create(owner.caller, { name: `item ${i}` }));

      // Act
      const seen: Item[] = [];
      const pages: number[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await owner.items().list(owner.caller, { limit: 5, cursor: cursor ?? undefined });
        seen.push(...page.items);
        pages.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor);

      // Assess
      expect(pages).toEqual([5, 5, 5, 5, 3]);
      expect(new Set(seen.map((i) => i.id)).size).toBe(23);
      expect(seen.map((i) => i.id).sort()).toEqual(created.map((i) => i.id).sort());
      const times = seen.map((i) => i.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    });

    it('ends without an empty page when the items fill the last page exactly', async () => {
      const owner = await db.signUp('exact');
      for (let i = 0; i < 4; i++) await owner.items().create(owner.caller, { name: `item ${i}` });
      const first = await owner.items().list(owner.caller, { limit: 2 });
      const second = await owner.items().list(owner.caller, { limit: 2, cursor: first.nextCursor });
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it('is an empty page for a user without items, with the default limit of 50', async () => {
      const owner = await db.signUp('empty');
      expect(await owner.items().list(owner.caller, {})).toEqual({ items: [], nextCursor: null });
    });

    it.each([
      [{ limit: 0 }, ['limit'], 'greater_than_equal'],
      [{ limit: 101 }, ['limit'], 'less_than_equal'],
      [{ limit: 'many' }, ['limit'], 'int_parsing'],
      [{ cursor: 'forged.cursor' }, ['cursor'], 'value_error'],
      [{ cursor: 'eyJ4IjoxfQ' }, ['cursor'], 'value_error'],
    ])('refuses %j', async (query, path, type) => {
      const error = await rejection(alice.items().list(alice.caller, query), ValidationError);
      expect(error.issues).toEqual([{ path, message: expect.any(String), type }]);
    });

    it('refuses a cursor whose position was edited', async () => {
      for (let i = 0; i < 3; i++) await alice.items().create(alice.caller, { name: `edit ${i}` });
      const { nextCursor } = await alice.items().list(alice.caller, { limit: 1 });
      const [payload, mac] = (nextCursor as string).split('.');
      const edited = Buffer.from(JSON.stringify(['other-id', '2000-01-01T00:00:00.000Z'])).toString(
        'base64url',
      );
      expect(payload).not.toBe(edited);
      await rejection(alice.items().list(alice.caller, { cursor: `${edited}.${mac}` }), ValidationError);
    });
  });

  describe('Rows the old service wrote (no version, description or updated_at)', () => {
    async function legacyRow(): Promise<string> {
      const id = `legacy-${Math.random().toString(36).slice(2)}`;
      await db.inspect.send(
        new PutCommand({
          TableName: db.tables.items,
          Item: { id, owner_id: alice.caller.userId, name: 'Old', created_at: '2024-01-01T00:00:00.000Z' },
        }),
      );
      return id;
    }

    it('read as version 1 and move to version 2 on a write conditional on version 1', async () => {
      const id = await legacyRow();

      const before = await alice.items().get(alice.caller, id);
      const after = await alice.items().update(alice.caller, id, { name: 'Renewed' }, 1);

      expect(before).toMatchObject({ version: 1, description: '', updatedAt: '2024-01-01T00:00:00.000Z' });
      expect(after).toMatchObject({ version: 2, name: 'Renewed' });
    });

    it('refuse a second write still conditional on version 1: no lost update', async () => {
      const id = await legacyRow();
      await alice.items().update(alice.caller, id, { name: 'First' });

      await rejection(alice.items().update(alice.caller, id, { name: 'Second' }, 1), PreconditionFailedError);
      expect(await alice.items().get(alice.caller, id)).toMatchObject({ name: 'First', version: 2 });
    });
  });

  it('sent only the DynamoDB actions that DYNAMODB_ACTIONS grants', () => {
    expect(db.allCalls.length).toBeGreaterThan(0);
    expect(undeclaredActions(db)).toEqual([]);
  });
});

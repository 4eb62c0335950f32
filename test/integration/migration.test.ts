import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import type { ReportDocument } from '../../src/migrate/report.js';
import { deletionReceiptId } from '../../src/migrate/target-records.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { legacyCreatedAt } from '../../src/storage/legacy.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';
import { errorCodes, graphqlOverHttp, type GraphQLClient } from '../helpers/graphql.js';
import {
  createLegacyTables,
  legacyFixture,
  loadLegacyFixture,
  putRows,
  tableContents,
  type LegacyItemFixture,
  type LegacyTableNames,
} from '../helpers/legacy-tables.js';
import { reportOf, runMigrate, startMigrate, type MigrateRun } from '../helpers/migrate-command.js';
import { createRestClient, type RestClient } from '../helpers/rest-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** The old Terraform's names, and ours next to them (as deployed side by side). */
const OLD: LegacyTableNames = { users: 'basic-item-crud-dev-users', items: 'basic-item-crud-dev-items' };
const NEW: LegacyTableNames = {
  users: 'basic-item-crud-dev-v2-users',
  items: 'basic-item-crud-dev-v2-items',
};
const FROM = ['--from-users', OLD.users, '--from-items', OLD.items];

const users = legacyFixture.users;
const byName = (name: string) => users.find((u) => u.record.username === name)!;
const itemsOf = (ownerId: string, items: readonly LegacyItemFixture[] = legacyFixture.items) =>
  items
    .filter((item) => item.owner_id === ownerId)
    .sort((a, b) => legacyCreatedAt(b.id).localeCompare(legacyCreatedAt(a.id)));

interface ListedItem {
  id: string;
  owner_id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  version: number;
}

describe.each(dynamoBackends)('npm run migrate on $name', (backend) => {
  let dynamo: RunningDynamo;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let firstRun: MigrateRun;
  /** The new tables right after the first run: what any complete run must produce. */
  let copied: { users: Record<string, unknown>[]; items: Record<string, unknown>[] };
  let server: TestServer;
  let rest: RestClient;
  let graphql: GraphQLClient;

  const env = () => ({ DYNAMODB_ENDPOINT: dynamo.endpoint, USERS_TABLE: NEW.users, ITEMS_TABLE: NEW.items });
  const contents = async (tables: LegacyTableNames) => ({
    users: await tableContents(doc, tables.users),
    items: await tableContents(doc, tables.items),
  });
  const freshTarget = async (name: string): Promise<LegacyTableNames> => {
    const tables = { users: `${name}-users`, items: `${name}-items` };
    await ensureTables(client, tables);
    return tables;
  };
  const into = (tables: LegacyTableNames) => ['--to-users', tables.users, '--to-items', tables.items];

  const restLogin = async (username: string, password: string) =>
    rest.request('POST', '/user/login', { json: { username, password } });
  const restToken = async (username: string) => {
    const response = await restLogin(username, byName(username).password);
    expect(response.status, response.text).toBe(200);
    return (response.body as { access_token: string }).access_token;
  };

  beforeAll(async () => {
    dynamo = await backend.start();
    client = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
    doc = createDocumentClient(client);
    await createLegacyTables(client, OLD);
    await loadLegacyFixture(doc, OLD);
    await ensureTables(client, NEW);
    firstRun = await runMigrate([...FROM, '--json'], env());
    copied = await contents(NEW);
    server = await startTestServer(env());
    rest = await createRestClient(server.url);
    graphql = graphqlOverHttp(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    client?.destroy();
    await dynamo?.close();
  });

  describe('the first run', () => {
    it('copies every old user and item, lists the case collision and exits 0', () => {
      // Assess
      expect(firstRun.status, firstRun.stderr).toBe(0);
      const report = reportOf(firstRun);
      expect(report.users).toEqual({ read: 6, copied: 6, unchanged: 0, deletedInNewService: 0, skipped: 0 });
      expect(report.items).toEqual({
        read: 9,
        copied: 9,
        updated: 0,
        unchanged: 0,
        keptNewEdit: 0,
        deletedInNewService: 0,
        skipped: 0,
      });
      expect(report.collisions).toEqual([{ key: 'bob', names: ['Bob', 'bob'] }]);
      expect(report.skipped).toEqual([]);
    });

    it('leaves the old tables exactly as the old service wrote them', async () => {
      // Act
      const old = await contents(OLD);

      // Assess
      const sorted = <T extends { id: string }>(rows: readonly T[]) =>
        [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(old.users).toEqual(sorted(users.map((u) => u.record)));
      expect(old.items).toEqual(sorted(legacyFixture.items));
    });
  });

  describe('old accounts, over REST', () => {
    it.each(users.map((u) => [u.record.username, u] as const))(
      '%s logs in with the old password and lists exactly their old items, newest first',
      async (_name, user) => {
        // Act
        const login = await restLogin(user.record.username, user.password);
        const token = (login.body as { access_token: string }).access_token;
        const list = await rest.request('GET', '/item/', { token });

        // Assess
        expect(login.status, login.text).toBe(200);
        expect(list.status).toBe(200);
        const expected = itemsOf(user.record.id).map((item) => ({
          id: item.id,
          owner_id: item.owner_id,
          name: item.name,
          description: item.description,
          created_at: legacyCreatedAt(item.id),
          updated_at: legacyCreatedAt(item.id),
          version: 1,
        }));
        expect(list.body as ListedItem[]).toEqual(expected);
      },
    );

    it('erin logs in with the first 72 bytes of her 87-byte password, as passlib compared them', async () => {
      // Prepare
      const password = byName('erin').password;
      expect(Buffer.byteLength(password)).toBe(87);

      // Act
      const response = await restLogin('erin', password.slice(0, 72));

      // Assess
      expect(response.status).toBe(200);
    });

    it.each([
      ['BOB', byName('Bob').password],
      ['BOB', byName('bob').password],
      ['BoB', byName('Bob').password],
    ])(
      '%s logs in to neither Bob nor bob (colliding names log in with their exact spelling)',
      async (name, pw) => {
        // Act
        const response = await restLogin(name, pw);

        // Assess
        expect(response.status).toBe(401);
      },
    );

    it('refuses to register a name reserved by the collision', async () => {
      // Act
      const response = await rest.request('POST', '/user/register', {
        json: { username: 'BOB', password: 'a new password' },
      });

      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ detail: 'Username already registered' });
    });
  });

  describe('old accounts, over GraphQL', () => {
    interface Connection {
      edges: {
        node: { id: string; name: string; createdAt: string; version: number; owner: { id: string } };
      }[];
    }

    it.each(users.map((u) => [u.record.username, u] as const))(
      '%s logs in with the old password and sees exactly their old items, newest first',
      async (_name, user) => {
        // Act
        const login = await graphql<{
          login: { accessToken: string; user: { id: string; username: string } };
        }>('mutation ($input: LoginInput!) { login(input: $input) { accessToken user { id username } } }', {
          variables: { input: { username: user.record.username, password: user.password } },
        });
        const token = login.body.data?.login.accessToken;
        const listed = await graphql<{ items: Connection }>(
          '{ items(first: 100) { edges { node { id name createdAt version owner { id } } } } }',
          { token },
        );

        // Assess
        expect(login.body.errors).toBeUndefined();
        expect(login.body.data?.login.user).toEqual({ id: user.record.id, username: user.record.username });
        expect(listed.body.errors).toBeUndefined();
        expect(listed.body.data?.items.edges.map((e) => e.node)).toEqual(
          itemsOf(user.record.id).map((item) => ({
            id: item.id,
            name: item.name,
            createdAt: legacyCreatedAt(item.id),
            version: 1,
            owner: { id: user.record.id },
          })),
        );
      },
    );

    it('refuses to register a name reserved by the collision', async () => {
      // Act
      const response = await graphql(
        'mutation { register(input: { username: "bOb", password: "a new password" }) { accessToken } }',
      );

      // Assess
      expect(errorCodes(response)).toEqual(['CONFLICT']);
    });
  });

  describe('a second run', () => {
    it('reports nothing new, writes nothing and changes nothing', async () => {
      // Prepare: the sign-ins above left rows of their own (failed-attempt counters)
      const before = await contents(NEW);

      // Act
      const run = await runMigrate([...FROM, '--json'], env());

      // Assess
      expect(run.status, run.stderr).toBe(0);
      const report = reportOf(run);
      expect(report.users).toMatchObject({ read: 6, copied: 0, unchanged: 6 });
      expect(report.items).toMatchObject({ read: 9, copied: 0, updated: 0, unchanged: 9 });
      expect(Object.keys(report.requests.byOperation).sort()).toEqual(['BatchGetItem', 'Scan']);
      expect(await contents(NEW)).toEqual(before);
    });
  });

  describe('an interrupted run', () => {
    it('killed after its first batch and run again, ends identical to an uninterrupted run', async () => {
      // Prepare
      const target = await freshTarget('interrupted');
      const slow = startMigrate([...FROM, ...into(target), '--max-rps', '4'], env());
      while ((await tableContents(doc, target.users)).length === 0) await sleep(25);
      slow.kill();
      const killed = await slow.done;
      const atKill = await contents(target);

      // Act
      const rerun = await runMigrate([...FROM, ...into(target), '--json'], env());

      // Assess
      expect(killed.signal).toBe('SIGKILL');
      expect(atKill).not.toEqual(copied);
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(await contents(target)).toEqual(copied);
    });
  });

  describe('--dry-run', () => {
    it('reads everything, writes nothing, and reports what a run would do', async () => {
      // Prepare
      const target = await freshTarget('dry');

      // Act
      const run = await runMigrate([...FROM, ...into(target), '--dry-run', '--json'], env());

      // Assess
      expect(run.status, run.stderr).toBe(0);
      const report = reportOf(run);
      const real = reportOf(firstRun);
      expect(report.dryRun).toBe(true);
      expect([report.users, report.items, report.collisions]).toEqual([
        real.users,
        real.items,
        real.collisions,
      ]);
      expect(await contents(target)).toEqual({ users: [], items: [] });
    });
  });

  describe('changes on both sides before the next run', () => {
    const alice = byName('alice');
    const [editedHere, deletedHere, editedThere] = itemsOf(alice.record.id) as [
      LegacyItemFixture,
      LegacyItemFixture,
      LegacyItemFixture,
    ];
    const frank = {
      id: '3f0c2a8e-7d4b-4f57-9a57-1c4a1e0b6f11',
      username: 'frank',
      password: 'frank-password',
    };
    const newRows = [
      {
        id: '5a1d6a52-0f2b-4d0e-8f42-0d7a3c1c9b01',
        owner_id: frank.id,
        name: "frank's item",
        description: null,
      },
      { id: '6b2e7b63-1a3c-4e1f-9a53-1e8b4d2dac12', owner_id: frank.id, name: "frank's other item" },
    ];
    const ghost = { id: '7c3f8c74-2b4d-4f20-8b64-2f9c5e3ebd23', username: 'ghost' };
    let run: MigrateRun;
    let report: ReportDocument;
    let aliceToken: string;

    beforeAll(async () => {
      aliceToken = await restToken('alice');
    });

    it('edits a migrated item with If-Match, and refuses a stale If-Match', async () => {
      // Act
      const edit = await rest.request('PUT', `/item/${editedHere.id}`, {
        token: aliceToken,
        headers: { 'if-match': '"1"' },
        json: { name: 'renamed in the new service' },
      });
      const stale = await rest.request('PUT', `/item/${editedHere.id}`, {
        token: aliceToken,
        headers: { 'if-match': '"1"' },
        json: { name: 'lost update' },
      });

      // Assess
      expect(edit.status, edit.text).toBe(200);
      expect(edit.headers.get('etag')).toBe('"2"');
      expect(edit.body).toMatchObject({ name: 'renamed in the new service', version: 2 });
      expect(stale.status).toBe(412);
    });

    it('deletes a migrated item with If-Match', async () => {
      // Act
      const deleted = await rest.request('DELETE', `/item/${deletedHere.id}`, {
        token: aliceToken,
        headers: { 'if-match': '"1"' },
      });
      const after = await rest.request('GET', `/item/${deletedHere.id}`, { token: aliceToken });

      // Assess
      expect(deleted.status, deleted.text).toBe(204);
      expect(after.status).toBe(404);
    });

    describe('the next run', () => {
      beforeAll(async () => {
        // The old service keeps serving meanwhile: a new account with items, edits to old items.
        const hash = byName('alice').record.hashed_password; // alice's password, for a new name
        await putRows(doc, OLD.users, [
          { id: frank.id, username: frank.username, hashed_password: hash },
          { id: ghost.id, username: ghost.username, hashed_password: hash },
        ]);
        await putRows(doc, OLD.items, [
          ...newRows,
          { ...editedHere, name: 'renamed in the old service' },
          { ...editedThere, description: 'edited in the old service' },
          { id: '8d4a9d85-3c5e-4a31-9c75-3a0d6f4fce34', owner_id: ghost.id, name: "ghost's item" },
        ]);
        // An account deleted in the new service leaves its receipt.
        await doc.send(new PutCommand({ TableName: NEW.users, Item: { id: deletionReceiptId(ghost.id) } }));
        run = await runMigrate([...FROM, '--json'], env());
        report = reportOf(run);
      });

      it('reports what it brought over and what it left alone, and exits 0', () => {
        // Assess
        expect(run.status, run.stderr).toBe(0);
        expect(report.users).toEqual({
          read: 8,
          copied: 1,
          unchanged: 6,
          deletedInNewService: 1,
          skipped: 0,
        });
        expect(report.items).toEqual({
          read: 12,
          copied: 2,
          updated: 1,
          unchanged: 6,
          keptNewEdit: 1,
          deletedInNewService: 2,
          skipped: 0,
        });
      });

      it('brings a user and items added to the old tables since the last run', async () => {
        // Act
        const login = await restLogin(frank.username, alice.password);
        const token = (login.body as { access_token: string }).access_token;
        const list = await rest.request('GET', '/item/', { token });

        // Assess
        expect(login.status).toBe(200);
        expect((list.body as ListedItem[]).map((i) => [i.id, i.description])).toEqual(
          [...newRows]
            .sort((a, b) => legacyCreatedAt(b.id).localeCompare(legacyCreatedAt(a.id)))
            .map((row) => [row.id, row.description ?? '']),
        );
      });

      it('follows an old-table edit of an item nobody edited here', async () => {
        // Act
        const response = await rest.request('GET', `/item/${editedThere.id}`, { token: aliceToken });

        // Assess
        expect(response.body).toMatchObject({ description: 'edited in the old service', version: 1 });
      });

      it('keeps the edit made here over a later edit in the old table', async () => {
        // Act
        const response = await rest.request('GET', `/item/${editedHere.id}`, { token: aliceToken });

        // Assess
        expect(response.body).toMatchObject({ name: 'renamed in the new service', version: 2 });
      });

      it('does not bring back an item deleted here', async () => {
        // Act
        const response = await rest.request('GET', `/item/${deletedHere.id}`, { token: aliceToken });

        // Assess
        expect(response.status).toBe(404);
      });

      it('does not bring back an account deleted here, nor its items', async () => {
        // Act
        const login = await restLogin(ghost.username, alice.password);
        const rows = await contents(NEW);

        // Assess
        expect(login.status).toBe(401);
        expect(rows.users.map((r) => r.id)).not.toContain(ghost.id);
        expect(rows.items.map((r) => r.owner_id)).not.toContain(ghost.id);
      });
    });
  });

  describe('rows that cannot be copied', () => {
    it('are skipped with their reason, and the run exits 1', async () => {
      // Prepare
      await putRows(doc, OLD.users, [
        { id: 'broken-user', username: 'broken', hashed_password: 'plain text' },
      ]);
      await putRows(doc, OLD.items, [
        { id: 'broken-item', owner_id: byName('alice').record.id, name: 42 },
        { id: 'orphan-item', owner_id: 'no-such-user', name: 'nobody owns me' },
        { id: 'not/an id', owner_id: byName('alice').record.id, name: 'a path could not name me' },
      ]);

      // Act
      const run = await runMigrate(FROM, env());

      // Assess
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('skipped (4):');
      expect(run.stdout).toContain('users "broken-user": hashed_password is not a bcrypt hash');
      expect(run.stdout).toContain('items "broken-item": name is missing or not a string');
      expect(run.stdout).toContain(
        'items "orphan-item": its owner no-such-user has no account in the new table',
      );
      expect(run.stdout).toContain('items "not/an id": id is not 1–128 letters, digits, "-" or "_"');
    });
  });
});

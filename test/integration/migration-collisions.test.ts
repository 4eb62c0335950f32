import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, UnauthenticatedError } from '../../src/domain/errors.js';
import { migrate } from '../../src/migrate/command.js';
import type { ReportDocument } from '../../src/migrate/report.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { rejection, startDataLayer, type DataLayer } from '../helpers/data-layer.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import {
  createLegacyTables,
  legacyFixture,
  putRows,
  type LegacyTableNames,
} from '../helpers/legacy-tables.js';

/** Real passlib hashes with their passwords, to give to made-up old accounts. */
const credentials = legacyFixture.users.map((u) => ({
  hash: u.record.hashed_password,
  password: u.password,
}));
const oldUser = (n: number, username: string) => ({
  id: `0c0ffee0-0000-4000-8000-${String(n).padStart(12, '0')}`,
  username,
  hashed_password: credentials[n % credentials.length]!.hash,
  password: credentials[n % credentials.length]!.password,
});

describe.each(dynamoBackends)('Case collisions of old names on $name', (backend) => {
  let db: DataLayer;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let sources = 0;

  beforeAll(async () => {
    db = await startDataLayer(backend);
    client = createDynamoClient({ region: 'us-east-1', endpoint: db.server.endpoint });
    doc = createDocumentClient(client);
  });
  afterAll(async () => {
    client?.destroy();
    await db?.close();
  });

  /** Old tables of their own holding `users`, migrated into the data layer's tables. */
  const migrateOldUsers = async (users: readonly ReturnType<typeof oldUser>[]): Promise<ReportDocument> => {
    const source: LegacyTableNames = { users: `old-users-${++sources}`, items: `old-items-${sources}` };
    await createLegacyTables(client, source);
    await putRows(
      doc,
      source.users,
      users.map(({ password: _password, ...row }) => row),
    );
    return migrate({
      storage: { region: 'us-east-1', dynamodbEndpoint: db.server.endpoint },
      source,
      target: db.tables,
      dryRun: false,
      segments: 4,
    });
  };
  const login = (username: string, password: string) =>
    db.request().services.accounts.login({ username, password });

  it('gives each of many spellings met by parallel workers its own login, by its exact spelling', async () => {
    // Prepare
    const spellings = ['dup', 'Dup', 'DUP', 'dUp', 'duP', 'DUp'];
    const users = spellings.map((name, i) => oldUser(i, name));

    // Act
    const report = await migrateOldUsers(users);

    // Assess
    expect(report.collisions).toEqual([{ key: 'dup', names: [...spellings].sort() }]);
    expect(report.users).toMatchObject({ copied: 6, skipped: 0 });
    for (const user of users) {
      expect((await login(user.username, user.password)).user.id).toBe(user.id);
    }
    await rejection(login('dUP', users[0]!.password), UnauthenticatedError);
    await rejection(
      db.request().services.accounts.register({ username: 'DuP', password: 'a new password' }),
      ConflictError,
    );
  });

  it('adds a name arriving in a later run to the collision an earlier run made', async () => {
    // Prepare
    const carol = oldUser(10, 'carol');
    const Carol = oldUser(11, 'Carol');
    const CAROL = oldUser(12, 'CAROL');
    await migrateOldUsers([carol]);
    const second = await migrateOldUsers([Carol]);

    // Act
    const third = await migrateOldUsers([CAROL]);

    // Assess
    expect(second.collisions).toEqual([{ key: 'carol', names: ['Carol', 'carol'] }]);
    expect(third.collisions).toEqual([{ key: 'carol', names: ['CAROL', 'Carol', 'carol'] }]);
    for (const user of [carol, Carol, CAROL]) {
      expect((await login(user.username, user.password)).user.id).toBe(user.id);
    }
  });

  it('leaves a name held by an account of the new service to it, and reports the old account', async () => {
    // Prepare
    const registered = await db
      .request()
      .services.accounts.register({ username: 'Frank', password: 'the new frank' });
    const frank = oldUser(20, 'frank');

    // Act
    const report = await migrateOldUsers([frank]);

    // Assess
    expect(report.skipped).toEqual([
      {
        table: 'users',
        id: frank.id,
        reason: 'copied without a login: the name is taken in the new service',
      },
    ]);
    expect((await login('frank', 'the new frank')).user.id).toBe(registered.user.id);
    await rejection(login('frank', frank.password), UnauthenticatedError);
    expect(await db.request().services.accounts.getUser(frank.id)).toMatchObject({ username: 'frank' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';
import { createLegacyTables } from '../helpers/legacy-tables.js';
import { runMigrate } from '../helpers/migrate-command.js';

const FROM = ['--from-users', 'old-users', '--from-items', 'old-items'];

describe.concurrent('npm run migrate: usage and configuration', () => {
  it('prints its usage with --help and exits 0', async () => {
    // Act
    const run = await runMigrate(['--help'], {});

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: npm run migrate -- --from-users <table> --from-items <table>');
  });

  it.each([
    [[], 'migrate: --from-users <table> is required (see --help)'],
    [
      [...FROM, '--max-rps', 'fast'],
      'migrate: --max-rps must be a positive number of requests per second (got "fast")',
    ],
    [[...FROM, '--segments', '0'], 'migrate: --segments must be an integer from 1 to 64 (got "0")'],
    [[...FROM, '--to-users', 'old-users'], 'migrate: the four tables must be different'],
    [[...FROM, '--force'], "migrate: Unknown option '--force'"],
  ])('refuses %j with one line and exit status 2', async (args, line) => {
    // Act
    const run = await runMigrate(args, { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(line);
  });

  it('names a bad configuration variable with one line and exit status 2', async () => {
    // Act
    const run = await runMigrate(FROM, { DYNAMODB_ENDPOINT: 'not a url' });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'Invalid configuration: DYNAMODB_ENDPOINT must be an http(s) URL (got "not a url")',
    );
  });
});

describe.each(dynamoBackends)('npm run migrate against missing tables on $name', (backend) => {
  let dynamo: RunningDynamo;

  beforeAll(async () => {
    dynamo = await backend.start();
    const client = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
    await createLegacyTables(client, { users: 'old-users', items: 'old-items' });
    await ensureTables(client, { users: 'new-users', items: 'new-items' });
    client.destroy();
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  it.each([
    [
      ['--from-users', 'nope-users', '--from-items', 'old-items'],
      'cannot read the old users table "nope-users"',
    ],
    [[...FROM, '--to-items', 'nope-items'], 'cannot read the target items table "nope-items"'],
  ])(
    'stops before writing anything when a table is missing (%j): one line, exit status 2',
    async (args, line) => {
      // Act
      const run = await runMigrate(args, {
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        USERS_TABLE: 'new-users',
        ITEMS_TABLE: 'new-items',
      });

      // Assess
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`migrate: ${line}: ResourceNotFoundException`);
    },
  );
});

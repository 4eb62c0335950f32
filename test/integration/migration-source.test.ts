import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { migrate, type MigrateSettings } from '../../src/migrate/command.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';
import { injectFault, recordCalls, type RecordedCall } from '../helpers/dynamodb-recorder.js';
import { createLegacyTables, loadLegacyFixture, tableContents } from '../helpers/legacy-tables.js';

const OLD = { users: 'old-users', items: 'old-items' };
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

describe.each(dynamoBackends)('Migration source on $name', (backend) => {
  let dynamo: RunningDynamo;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let before: Record<string, unknown>[][];

  beforeAll(async () => {
    dynamo = await backend.start();
    client = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
    doc = createDocumentClient(client);
    await createLegacyTables(client, OLD);
    await loadLegacyFixture(doc, OLD);
    before = [await tableContents(doc, OLD.users), await tableContents(doc, OLD.items)];
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  /** Runs the migration in this process, recording every call both of its clients send. */
  const watchedRun = async (target: { users: string; items: string }, dryRun: boolean) => {
    await ensureTables(client, target);
    const calls: RecordedCall[] = [];
    const scans: Record<string, unknown>[] = [];
    const settings: MigrateSettings = {
      storage: { region: 'us-east-1', dynamodbEndpoint: dynamo.endpoint },
      source: OLD,
      target,
      dryRun,
      segments: 4,
    };
    const report = await migrate(settings, {
      onClients: ({ source, target: targetClient }) => {
        recordCalls(source, calls);
        recordCalls(targetClient, calls);
        // An observer, not a fault: it sees each request's input and lets it through.
        injectFault(source, ({ operation, input }) => void (operation === 'Scan' && scans.push(input)));
      },
    });
    return { report, calls, scans };
  };

  it('only ever scans the old tables, with consistent reads, and never writes to them', async () => {
    // Act
    const { report, calls, scans } = await watchedRun({ users: 'copy-users', items: 'copy-items' }, false);

    // Assess
    expect(report.users.copied).toBe(6);
    const toSource = calls.filter((call) => call.tables.some((t) => t === OLD.users || t === OLD.items));
    expect(toSource.length).toBeGreaterThan(0);
    expect(new Set(toSource.map((call) => call.operation))).toEqual(new Set(['Scan']));
    expect(scans.every((input) => input.ConsistentRead === true)).toBe(true);
    expect([await tableContents(doc, OLD.users), await tableContents(doc, OLD.items)]).toEqual(before);
  });

  it('sends no write at all in a dry run', async () => {
    // Act
    const { report, calls } = await watchedRun({ users: 'dry-users', items: 'dry-items' }, true);

    // Assess
    expect(report.items.copied).toBe(9);
    expect(calls.filter((call) => WRITES.includes(call.operation))).toEqual([]);
  });
});

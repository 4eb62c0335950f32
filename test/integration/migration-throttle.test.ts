import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { migrate } from '../../src/migrate/command.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';
import { createLegacyTables, loadLegacyFixture, tableContents } from '../helpers/legacy-tables.js';

const OLD = { users: 'old-users', items: 'old-items' };

describe.each(dynamoBackends)('Migration pacing on $name', (backend) => {
  let dynamo: RunningDynamo;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let targets = 0;

  beforeAll(async () => {
    dynamo = await backend.start();
    client = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
    doc = createDocumentClient(client);
    await createLegacyTables(client, OLD);
    await loadLegacyFixture(doc, OLD);
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  const freshTarget = async () => {
    const target = { users: `users-${++targets}`, items: `items-${targets}` };
    await ensureTables(client, target);
    return target;
  };
  const settings = (target: { users: string; items: string }) => ({
    storage: { region: 'us-east-1', dynamodbEndpoint: dynamo.endpoint },
    source: OLD,
    target,
    dryRun: false,
    segments: 4,
  });

  it('keeps all requests of all workers under --max-rps', async () => {
    // Prepare
    const target = await freshTarget();
    const started = performance.now();

    // Act
    const report = await migrate({ ...settings(target), maxRps: 20 });

    // Assess: the bucket starts with one token and holds at most a tenth of a second's worth
    const seconds = (performance.now() - started) / 1000;
    expect(report.requests.total).toBeGreaterThan(20);
    expect(report.requests.total).toBeLessThanOrEqual(1 + 20 * seconds);
  });

  it('writes again what BatchWriteItem left unprocessed, until nothing is left', async () => {
    // Prepare: the first answer to each batch claims that none of it was written
    const target = await freshTarget();
    const answered = new Set<string>();

    // Act
    const report = await migrate(
      { ...settings(target), retry: { maxRounds: 3, baseDelayMs: 1, maxDelayMs: 5 } },
      { onClients: ({ target: targetClient }) => leaveFirstBatchWritesUnprocessed(targetClient, answered) },
    );

    // Assess
    expect(answered.size).toBeGreaterThan(0);
    expect(report.requests.byOperation.BatchWriteItem).toBe(2 * answered.size);
    expect(report.users.copied).toBe(6);
    expect(report.items.copied).toBe(9);
    // 6 user records, 5 folded names (one is the Bob/bob reservation), 2 exact-name markers
    expect(await tableContents(doc, target.users)).toHaveLength(6 + 5 + 2);
    expect(await tableContents(doc, target.items)).toHaveLength(9);
  });
});

/**
 * Rewrites the answer to the first BatchWriteItem of each set of rows as DynamoDB answers under
 * throttling: everything in `UnprocessedItems` (the rows were in fact written; writing them
 * again is harmless, which is what makes the retry safe).
 */
function leaveFirstBatchWritesUnprocessed(client: DynamoDBClient, answered: Set<string>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'BatchWriteItemCommand') return result;
      // Here the request is on the wire's form and the answer already in the document client's.
      const requestItems = (args.input as { RequestItems: Record<string, WireWrite[]> }).RequestItems;
      const batch = JSON.stringify(requestItems);
      if (!answered.has(batch)) {
        answered.add(batch);
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = Object.fromEntries(
          Object.entries(requestItems).map(([table, writes]) => [
            table,
            writes.map((w) => ({ PutRequest: { Item: unmarshall(w.PutRequest.Item) } })),
          ]),
        );
      }
      return result;
    },
    { step: 'deserialize', priority: 'high', name: 'test-unprocessed-batch-writes' },
  );
}

type WireWrite = { PutRequest: { Item: Record<string, AttributeValue> } };

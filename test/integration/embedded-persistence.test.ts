import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { exited, runUntilExit, startService } from '../helpers/service-process.js';

const TABLES = { users: 'basic-item-crud-users', items: 'basic-item-crud-items' };

function client(endpoint: string): DynamoDBClient {
  return createDynamoClient({ region: 'us-east-1', endpoint });
}

async function putMarker(endpoint: string, id: string): Promise<void> {
  await client(endpoint).send(
    new PutItemCommand({ TableName: TABLES.items, Item: { id: { S: id }, name: { S: `written ${id}` } } }),
  );
}

async function readMarker(endpoint: string, id: string): Promise<string | undefined> {
  const { Item } = await client(endpoint).send(
    new GetItemCommand({ TableName: TABLES.items, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  return Item?.name?.S;
}

describe('Embedded DynamoDB: data on disk', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'basic-item-crud-persist-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps data written before a restart of the emulator', async () => {
    const first = await startEmbeddedDynamo({ dataDir });
    await ensureTables(client(first.endpoint), TABLES);
    await putMarker(first.endpoint, 'before-restart');
    await first.close();

    const second = await startEmbeddedDynamo({ dataDir });
    try {
      await ensureTables(client(second.endpoint), TABLES);
      expect(await readMarker(second.endpoint, 'before-restart')).toBe('written before-restart');
    } finally {
      await second.close();
    }
  });

  it('keeps acknowledged writes after a kill -9 of the service', async () => {
    const running = await startService({ DATA_DIR: dataDir });
    await putMarker(running.endpoint, 'acknowledged-1');
    await putMarker(running.endpoint, 'acknowledged-2');

    running.child.kill('SIGKILL');
    await exited(running.child);

    const restarted = await startEmbeddedDynamo({ dataDir });
    try {
      expect(await readMarker(restarted.endpoint, 'acknowledged-1')).toBe('written acknowledged-1');
      expect(await readMarker(restarted.endpoint, 'acknowledged-2')).toBe('written acknowledged-2');
    } finally {
      await restarted.close();
    }
  });

  it('stops cleanly on Ctrl-C (SIGINT) and keeps the data', async () => {
    const running = await startService({ DATA_DIR: dataDir });
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    await putMarker(running.endpoint, 'before-sigint');

    running.child.kill('SIGINT');

    expect(await exited(running.child)).toBe(0);
    const restarted = await startEmbeddedDynamo({ dataDir });
    try {
      expect(await readMarker(restarted.endpoint, 'before-sigint')).toBe('written before-sigint');
    } finally {
      await restarted.close();
    }
  });

  it('refuses, in one line, a data dir another server is using', async () => {
    const running = await startService({ DATA_DIR: dataDir });
    try {
      const second = await runUntilExit({ DATA_DIR: dataDir });

      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(
        `Cannot start: DATA_DIR ${dataDir} is in use by another running server`,
      );
    } finally {
      running.child.kill('SIGKILL');
      await exited(running.child);
    }
  });
});

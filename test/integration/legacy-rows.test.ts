import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startLocalServer, type LocalServer } from '../../src/local/server.js';
import { createLogger } from '../../src/logger.js';
import { itemRecordOf } from '../../src/migrate/target-records.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import type { RunningDynamo } from '../helpers/dynamodb-local.js';
import { errorCodes, graphqlOverHttp, type GraphQLClient } from '../helpers/graphql.js';
import { putRows } from '../helpers/legacy-tables.js';
import { createRestClient, type RestClient } from '../helpers/rest-client.js';
import { registerUser, type ItemBody } from '../helpers/rest-fixtures.js';

/**
 * Rows in the new items table that lack the newer fields (written the old service's way, by
 * hand, or by an old deployment pointed at the new table) or cannot be made valid at all.
 */
const TABLES = { users: 'legacy-rows-users', items: 'legacy-rows-items' };
const ids = {
  bare: 'a0000000-0000-4000-8000-000000000001',
  nullDescription: 'a0000000-0000-4000-8000-000000000002',
  datedOnly: 'a0000000-0000-4000-8000-000000000003',
  numberName: 'a0000000-0000-4000-8000-000000000004',
  badDate: 'a0000000-0000-4000-8000-000000000005',
};
const DATED = '2024-05-01T12:00:00.000Z';

interface GraphQLItem {
  id: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

describe.each(dynamoBackends)('Rows without the newer fields, on $name', (backend) => {
  let dynamo: RunningDynamo;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let dataDir: string;
  let server: LocalServer;
  let rest: RestClient;
  let graphql: GraphQLClient;
  let token: string;
  let ownerId: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dynamo = await backend.start();
    client = createDynamoClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
    doc = createDocumentClient(client);
    await ensureTables(client, TABLES);
    dataDir = await mkdtemp(join(tmpdir(), 'legacy-rows-'));
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      BCRYPT_COST: '4',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      USERS_TABLE: TABLES.users,
      ITEMS_TABLE: TABLES.items,
    });
    const logger = createLogger(
      'warn',
      (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
    );
    server = await startLocalServer({ config, logger });
    rest = await createRestClient(server.url);
    graphql = graphqlOverHttp(server.url);
    token = (await registerUser(rest, 'legacy')).token;
    ownerId = ((await rest.request('GET', '/user/me', { token })).body as { id: string }).id;
    const owner_id = ownerId;
    await putRows(doc, TABLES.items, [
      { id: ids.bare, owner_id, name: 'bare old row' },
      { id: ids.nullDescription, owner_id, name: 'null description', description: null },
      { id: ids.datedOnly, owner_id, name: 'dated, no version', description: 'x', created_at: DATED },
      {
        id: ids.numberName,
        owner_id,
        name: 42,
        description: 'x',
        created_at: DATED,
        updated_at: DATED,
        version: 1,
      },
      { id: ids.badDate, owner_id, name: 'bad date', description: 'x', created_at: 'yesterday', version: 1 },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
    client?.destroy();
    await dynamo?.close();
  });

  /** What `npm run migrate` would write for the row: the dates the service must derive. */
  const derived = (id: string, name: string) => {
    const record = itemRecordOf({ id, ownerId, name, description: '' });
    return { created_at: record.created_at, updated_at: record.updated_at, version: record.version };
  };

  describe('GET /item/{id}', () => {
    it.each([
      ['no description, dates or version', ids.bare, 'bare old row'],
      ['a null description', ids.nullDescription, 'null description'],
    ])('answers a row with %s with the dates the migration would write', async (_case, id, name) => {
      // Act (the REST client checks the answer against the OpenAPI document)
      const response = await rest.request('GET', `/item/${id}`, { token });

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"1"');
      expect(response.body).toEqual({ id, owner_id: ownerId, name, description: '', ...derived(id, name) });
    });

    it('answers a dated row without updated_at or version with updated_at = created_at and version 1', async () => {
      // Act
      const response = await rest.request('GET', `/item/${ids.datedOnly}`, { token });

      // Assess
      expect(response.body).toMatchObject({ created_at: DATED, updated_at: DATED, version: 1 });
    });

    it.each([
      ['a number as name', ids.numberName],
      ['a created_at that is not a date', ids.badDate],
    ])('answers 404 for a row with %s, and logs it', async (_case, id) => {
      // Act
      const response = await rest.request('GET', `/item/${id}`, { token });

      // Assess
      expect(response.status).toBe(404);
      expect(logLines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'skipped a row that is not a valid record', id }),
      );
    });
  });

  describe('GET /item/', () => {
    it('lists the valid rows and leaves out the invalid ones', async () => {
      // Act
      const response = await rest.request('GET', '/item/', { token });

      // Assess: rows without created_at are not in the owner index at all; the dated one is listed
      expect(response.status).toBe(200);
      expect((response.body as ItemBody[]).map((item) => item.id)).toEqual([ids.datedOnly]);
    });
  });

  describe('GraphQL', () => {
    it('answers non-null dates and version for rows without them', async () => {
      // Act
      const response = await graphql<{ itemsByIds: (GraphQLItem | null)[] }>(
        'query ($ids: [ID!]!) { itemsByIds(ids: $ids) { id description createdAt updatedAt version } }',
        { token, variables: { ids: [ids.bare, ids.nullDescription, ids.numberName] } },
      );

      // Assess
      expect(response.body.errors).toBeUndefined();
      const [bare, nullDescription, numberName] = response.body.data?.itemsByIds ?? [];
      for (const [item, id, name] of [
        [bare, ids.bare, 'bare old row'],
        [nullDescription, ids.nullDescription, 'null description'],
      ] as const) {
        const dates = derived(id, name);
        expect(item).toEqual({
          id,
          description: '',
          createdAt: dates.created_at,
          updatedAt: dates.updated_at,
          version: 1,
        });
      }
      expect(numberName).toBeNull();
    });

    it('lists without an error, leaving out the invalid rows', async () => {
      // Act
      const response = await graphql<{ items: { edges: { node: { id: string } }[] } }>(
        '{ items(first: 100) { edges { node { id } } } }',
        { token },
      );

      // Assess
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.items.edges.map((e) => e.node.id)).toEqual([ids.datedOnly]);
    });

    it('answers NOT_FOUND for a row that cannot be made valid', async () => {
      // Act
      const response = await graphql(`{ item(id: "${ids.numberName}") { id createdAt } }`, { token });

      // Assess
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    });
  });

  it('never answered a 500 or logged an error', () => {
    // Assess
    expect(logLines.filter((line) => line.level === 'error')).toEqual([]);
  });
});

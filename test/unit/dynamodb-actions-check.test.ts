import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, ScanCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { OWNER_ID_INDEX } from '../../src/storage/tables.js';
import { undeclaredActionsOf } from '../helpers/data-layer.js';
import { recordCalls, type RecordedCall } from '../helpers/dynamodb-recorder.js';

const tables = { users: 'users-table', items: 'items-table' };

/** Records what a real client serializes, then stops the request before any network. */
async function recorded(send: (doc: DynamoDBDocumentClient) => Promise<unknown>): Promise<RecordedCall[]> {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const recorder = recordCalls(client);
  client.middlewareStack.add(
    () => async () => {
      throw new Error('stopped before the network');
    },
    { step: 'finalizeRequest', name: 'stop-before-network' },
  );
  await send(DynamoDBDocumentClient.from(client)).catch(() => undefined);
  return recorder.calls;
}

describe('Test helper: the check that code sends only the DynamoDB actions IAM grants', () => {
  it('records the table and index of each serialized call', async () => {
    const calls = await recorded((doc) =>
      doc.send(
        new QueryCommand({
          TableName: tables.items,
          IndexName: OWNER_ID_INDEX,
          KeyConditionExpression: 'owner_id = :o',
          ExpressionAttributeValues: { ':o': 'u1' },
        }),
      ),
    );

    expect(calls).toEqual([{ operation: 'Query', tables: [tables.items], indexName: OWNER_ID_INDEX }]);
    expect(undeclaredActionsOf(calls, tables)).toEqual([]);
  });

  it('flags an action DYNAMODB_ACTIONS does not grant', async () => {
    const calls = await recorded((doc) => doc.send(new ScanCommand({ TableName: tables.users })));

    expect(undeclaredActionsOf(calls, tables)).toEqual(['users: dynamodb:Scan']);
  });

  it("flags a call on a table that is not the service's", async () => {
    const calls = await recorded((doc) => doc.send(new GetCommand({ TableName: 'other', Key: { id: 'x' } })));

    expect(undeclaredActionsOf(calls, tables)).toEqual(['unknown table other: dynamodb:GetItem']);
  });
});

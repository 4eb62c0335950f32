import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OWNER_ID_INDEX } from '../../src/storage/tables.js';

/**
 * The floor a REST endpoint can reach on this stack: the same single DynamoDB call through
 * the same document client, serialized to JSON, with no routing, auth, validation or logging.
 */
export function restBaseline(doc: DynamoDBDocumentClient, itemsTable: string) {
  return {
    async getItem(id: string): Promise<{ status: number; body: string }> {
      const out = await doc.send(new GetCommand({ TableName: itemsTable, Key: { id } }));
      return out.Item ? { status: 200, body: JSON.stringify(out.Item) } : { status: 404, body: '{}' };
    },
    async listItems(ownerId: string, limit: number): Promise<{ status: number; body: string }> {
      const out = await doc.send(
        new QueryCommand({
          TableName: itemsTable,
          IndexName: OWNER_ID_INDEX,
          KeyConditionExpression: 'owner_id = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return { status: 200, body: JSON.stringify(out.Items ?? []) };
    },
  };
}

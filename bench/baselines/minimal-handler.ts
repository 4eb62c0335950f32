// The least a Lambda handler of this API can be: a DynamoDB document client, a JWT check and
// one GetItem. `npm run bench` bundles it exactly as scripts/build.ts bundles the service, and
// compares cold starts against it in the same run.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import jwt from 'jsonwebtoken';

const secret = process.env.JWT_SECRET ?? '';
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: process.env.REGION ?? 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT }),
);

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const token = (event.headers.Authorization ?? event.headers.authorization ?? '').replace(/^Bearer /, '');
  const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
  const id = event.pathParameters?.proxy?.split('/').pop() ?? '';
  const out = await doc.send(new GetCommand({ TableName: process.env.ITEMS_TABLE, Key: { id } }));
  const item = out.Item?.owner_id === claims.sub ? out.Item : undefined;
  return { statusCode: item ? 200 : 404, body: JSON.stringify(item ?? { detail: 'Item not found' }) };
}

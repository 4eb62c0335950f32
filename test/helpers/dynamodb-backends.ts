import { startEmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { startDynamoDBLocal, type RunningDynamo } from './dynamodb-local.js';

export interface DynamoBackend {
  readonly name: string;
  start(): Promise<RunningDynamo>;
}

/**
 * The DynamoDB-compatible servers every data-layer suite runs against: the embedded emulator
 * the service ships with, and AWS's own DynamoDB Local. `describe.each(dynamoBackends)`.
 */
export const dynamoBackends: readonly DynamoBackend[] = [
  { name: 'dynalite', start: () => startEmbeddedDynamo() },
  { name: 'DynamoDB Local', start: () => startDynamoDBLocal() },
];

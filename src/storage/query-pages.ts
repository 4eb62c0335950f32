import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Row } from './records.js';
import { storageCall } from './storage-errors.js';

/** Every page of a Query, following `LastEvaluatedKey`: for walks over all of a key's rows (deletions). */
export async function* queryPages(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<Row[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const output = await storageCall(() =>
      client.send(new QueryCommand({ ...input, ExclusiveStartKey: start })),
    );
    yield (output.Items ?? []) as Row[];
    start = output.LastEvaluatedKey;
  } while (start);
}

import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { lambdaRecordOf } from '../../src/local/stream-follower.js';

export interface TableStream {
  /** The next `count` records written since the stream was opened (or last taken), as Lambda gets them. */
  take(count: number, timeoutMs?: number): Promise<DynamoDBRecord[]>;
  /** Records that arrived since the last take, waiting `quietMs` for late ones. */
  rest(quietMs?: number): Promise<DynamoDBRecord[]>;
  close(): void;
}

/**
 * A table's stream on DynamoDB Local, read from now on (LATEST), with the same credentials and
 * region as the service's client (DynamoDB Local keeps streams per access key and region).
 */
export async function openTableStream(
  endpoint: string,
  region: string,
  tableName: string,
): Promise<TableStream> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = new DynamoDBClient({ endpoint, region, credentials });
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  dynamo.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials });
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const iterators = new Map<string, string | undefined>();
  for (const shard of StreamDescription?.Shards ?? []) {
    // From the start (DynamoDB Local refuses LATEST on a shard without records), skipping
    // what is already there.
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    iterators.set(shard.ShardId as string, ShardIterator);
  }
  const buffered: DynamoDBRecord[] = [];
  const poll = async () => {
    let read = 0;
    for (const [shard, iterator] of iterators) {
      if (!iterator) continue;
      const output = await streams
        .send(new GetRecordsCommand({ ShardIterator: iterator }))
        .catch(async (error: unknown) => {
          // DynamoDB Local: an iterator taken while the shard had no record fails once one arrives.
          if (!(error instanceof Error && error.name === 'TrimmedDataAccessException')) throw error;
          const again = await streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shard,
              ShardIteratorType: 'TRIM_HORIZON',
            }),
          );
          return streams.send(new GetRecordsCommand({ ShardIterator: again.ShardIterator }));
        });
      read += output.Records?.length ?? 0;
      buffered.push(...(output.Records ?? []).map((record) => lambdaRecordOf(record, streamArn)));
      iterators.set(shard, output.NextShardIterator);
    }
    return read;
  };
  while ((await poll()) > 0) buffered.length = 0;
  return {
    async take(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (buffered.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} stream records, got ${buffered.length}`);
        await poll();
        if (buffered.length < count) await sleep(20);
      }
      return buffered.splice(0, count);
    },
    async rest(quietMs = 300) {
      await sleep(quietMs);
      await poll();
      return buffered.splice(0);
    },
    close: () => streams.destroy(),
  };
}

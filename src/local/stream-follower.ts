import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type * as StreamsModule from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamsRecord, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { createDynamoClient } from '../storage/dynamodb-client.js';

/** The credentials every emulator client of this service uses (see dynamodb-client.ts). */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface StreamFollowerOptions {
  /** The server that holds the table (DYNAMODB_ENDPOINT) and the service's region. */
  readonly endpoint: string;
  readonly region: string;
  readonly tableName: string;
  readonly onRecords: (records: DynamoDBRecord[]) => void;
  readonly onProblem: (problem: string, error: unknown) => void;
  /** Between two empty reads of the stream. */
  readonly idleMs?: number;
}

export interface StreamFollower {
  stop(): Promise<void>;
}

/**
 * The table's DynamoDB stream as a Lambda event source mapping would read it, for a local
 * server on a DynamoDB that has streams (DynamoDB Local): every shard from now on, records in
 * order, shaped as Lambda delivers them. Undefined when the server or the table has no stream
 * (an external dynalite, a table made without one): the caller says so.
 *
 * The Streams client is a development dependency, loaded only here.
 */
export async function followTableStream(options: StreamFollowerOptions): Promise<StreamFollower | undefined> {
  const { endpoint, region } = options;
  const dynamo = createDynamoClient({ endpoint, region });
  const table = await dynamo
    .send(new DescribeTableCommand({ TableName: options.tableName }))
    .finally(() => dynamo.destroy());
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) return undefined;
  const streamsSdk = await import('@aws-sdk/client-dynamodb-streams');
  // Streams belong to an access key and region on DynamoDB Local: the service's own.
  const streams = new streamsSdk.DynamoDBStreamsClient({
    endpoint,
    region,
    credentials: EMULATOR_CREDENTIALS,
  });
  try {
    await streams.send(new streamsSdk.DescribeStreamCommand({ StreamArn: streamArn }));
  } catch (error) {
    streams.destroy();
    if (error instanceof Error && error.name === 'UnknownOperationException') return undefined;
    throw error;
  }

  let stopped = false;
  const done = follow(streams, streamsSdk, streamArn, options, () => stopped).finally(() =>
    streams.destroy(),
  );
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

type StreamsSdk = typeof StreamsModule;

async function follow(
  streams: DynamoDBStreamsClient,
  sdk: StreamsSdk,
  streamArn: string,
  options: StreamFollowerOptions,
  stopped: () => boolean,
): Promise<void> {
  /** Open shards and where to read each next; shards found later are read from their start. */
  const iterators = new Map<string, string>();
  const seen = new Set<string>();
  let first = true;
  const discover = async () => {
    const { StreamDescription } = await streams.send(new sdk.DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || seen.has(shard.ShardId)) continue;
      seen.add(shard.ShardId);
      const { ShardIterator } = await streams.send(
        new sdk.GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      if (ShardIterator) iterators.set(shard.ShardId, ShardIterator);
    }
    first = false;
  };

  while (!stopped()) {
    try {
      if (iterators.size === 0) await discover();
      let read = 0;
      for (const [shardId, iterator] of [...iterators]) {
        const output = await streams.send(new sdk.GetRecordsCommand({ ShardIterator: iterator }));
        const records = output.Records ?? [];
        read += records.length;
        if (records.length > 0) options.onRecords(records.map((r) => lambdaRecordOf(r, streamArn)));
        if (output.NextShardIterator) iterators.set(shardId, output.NextShardIterator);
        else iterators.delete(shardId); // closed: its children come up in the next discovery
      }
      if (read === 0) await sleep(options.idleMs ?? 25);
    } catch (error) {
      if (stopped()) return;
      options.onProblem('could not read the items stream', error);
      iterators.clear();
      await sleep(1_000);
    }
  }
}

/**
 * A `GetRecords` record as a Lambda event source mapping delivers it: with the stream's ARN,
 * and the creation time in epoch seconds (the SDK parses it to a Date).
 */
export function lambdaRecordOf(record: StreamsRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb;
  const created = stream?.ApproximateCreationDateTime;
  return {
    ...(record as DynamoDBRecord),
    eventSourceARN: streamArn,
    dynamodb: {
      ...(stream as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
  };
}

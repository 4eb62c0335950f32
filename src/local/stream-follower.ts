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
  /**
   * Each shard: where to read next, and the last record seen (to resume after a failure without
   * a gap or a repeat). Shards are read from their start (TRIM_HORIZON: DynamoDB Local refuses a
   * LATEST iterator on a shard without records); what the shards held when following began is
   * skipped, shards that open later (a split) are read whole.
   */
  const shards = new Map<
    string,
    { iterator?: string | undefined; last?: string | undefined; skip: boolean; closed: boolean }
  >();
  let starting = true;
  let rediscover = true;

  const iteratorOf = async (shardId: string, after: string | undefined) => {
    const { ShardIterator } = await streams.send(
      new sdk.GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  };
  const discover = async () => {
    const { StreamDescription } = await streams.send(new sdk.DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      const iterator = await iteratorOf(shard.ShardId, undefined);
      shards.set(shard.ShardId, { iterator, skip: starting, closed: false });
    }
    starting = false;
    rediscover = false;
  };

  while (!stopped()) {
    try {
      if (rediscover) await discover();
      let read = 0;
      for (const [shardId, shard] of shards) {
        if (shard.closed) continue;
        shard.iterator ??= await iteratorOf(shardId, shard.last);
        const readRecords = () => streams.send(new sdk.GetRecordsCommand({ ShardIterator: shard.iterator }));
        const output = await readRecords().catch(async (error: unknown) => {
          // DynamoDB Local: an iterator taken while the shard had no record fails once one arrives.
          if (!(error instanceof Error && error.name === 'TrimmedDataAccessException') || shard.last)
            throw error;
          shard.iterator = await iteratorOf(shardId, undefined);
          return readRecords();
        });
        const records = output.Records ?? [];
        shard.iterator = output.NextShardIterator;
        if (!shard.iterator) {
          // Read to its end: its children come up in the next discovery.
          shard.closed = true;
          rediscover = true;
        }
        if (records.length === 0) {
          shard.skip = false;
          continue;
        }
        shard.last = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.last;
        if (shard.skip) continue;
        read += records.length;
        options.onRecords(records.map((r) => lambdaRecordOf(r, streamArn)));
      }
      if (read === 0) await sleep(options.idleMs ?? 25);
    } catch (error) {
      if (stopped()) return;
      options.onProblem('could not read the items stream', error);
      // Iterators expire (15 minutes) or go stale: each shard resumes after its last record.
      for (const shard of shards.values()) shard.iterator = undefined;
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

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import {
  BatchGetItemCommand,
  GetItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

type Image = Record<string, AttributeValue>;

export interface WriteTapOptions {
  /** The table whose writes become records (the items table). */
  readonly tableName: string;
  /** Its key attributes (`tables.ts`). */
  readonly keyNames: readonly string[];
  /** Reads the images through the emulator itself (its own endpoint). */
  readonly reader: () => DynamoDBClient;
  readonly onRecords: (records: DynamoDBRecord[]) => void;
  /** False while nobody listens: writes then go straight to the emulator, at no extra cost. */
  readonly watching?: () => boolean;
  /** A tap that cannot read an image says so here; the write itself always goes through. */
  readonly onProblem: (problem: string, error: unknown) => void;
}

export interface WriteTap {
  /** Resolves once the writes being observed have their images read: before the store closes. */
  drain(): Promise<void>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const MAX_KEYS_PER_BATCH_GET = 100;

/**
 * DynamoDB Streams for dynalite, which has none: every write request the embedded emulator
 * receives — from the service, `npm run migrate`, an `aws dynamodb` CLI pointed at it — is seen
 * here. Around each successful write to the watched table the item's old and new images are
 * read through the emulator, writes to the same key waiting for each other so the images are
 * exact, and a record shaped like a `NEW_AND_OLD_IMAGES` stream record is handed on: INSERT,
 * MODIFY or REMOVE, none when nothing changed (as DynamoDB itself).
 */
export function tapTableWrites(server: Server, options: WriteTapOptions): WriteTap {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1 || !listeners[0])
    throw new Error('expected the emulator as the only request listener');
  const emulator: RequestListener = listeners[0];
  server.removeAllListeners('request');
  const locks = new KeyLocks();
  let sequence = 0;
  const record = (key: Image, before: Image | undefined, after: Image | undefined): DynamoDBRecord | null => {
    if (isDeepStrictEqual(before, after)) return null;
    return streamRecord(options.tableName, ++sequence, key, before, after);
  };

  const observing = new Set<Promise<void>>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (req.method !== 'POST' || !WRITES.has(operation) || options.watching?.() === false) {
      return emulator(req, res);
    }
    const observed = observe(req, res, operation)
      .catch((error: unknown) => {
        // A client that went away mid-body, say: its write never reached the emulator.
        options.onProblem('could not pass a write through', error);
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => observing.delete(observed));
    observing.add(observed);
  });

  async function observe(req: IncomingMessage, res: ServerResponse, operation: string): Promise<void> {
    const body = await readAll(req);
    const keys = keysWritten(operation, body, options);
    const replay = () => emulator(replayOf(req, body), res);
    if (keys.length === 0) return replay();
    const release = await locks.acquire(keys.map((key) => JSON.stringify(key)));
    try {
      const before = await readImages(keys).catch((error: unknown) => {
        options.onProblem('could not read the images before a write', error);
        return undefined;
      });
      await new Promise<void>((done) => {
        res.once('finish', done);
        res.once('close', done);
        replay();
      });
      if (!before || res.statusCode !== 200) return;
      const after = await readImages(keys);
      const records = keys
        .map((key, i) => record(key, before[i], after[i]))
        .filter((r): r is DynamoDBRecord => r !== null);
      if (records.length > 0) options.onRecords(records);
    } catch (error) {
      options.onProblem('could not read the images after a write', error);
    } finally {
      release();
    }
  }

  return {
    async drain() {
      while (observing.size > 0) await Promise.allSettled([...observing]);
    },
  };

  async function readImages(keys: readonly Image[]): Promise<(Image | undefined)[]> {
    const client = options.reader();
    if (keys.length === 1) {
      const output = await client.send(
        new GetItemCommand({ TableName: options.tableName, Key: keys[0], ConsistentRead: true }),
      );
      return [output.Item];
    }
    const found = new Map<string, Image>();
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_BATCH_GET) {
      let pending: Image[] = keys.slice(i, i + MAX_KEYS_PER_BATCH_GET);
      while (pending.length > 0) {
        const output = await client.send(
          new BatchGetItemCommand({
            RequestItems: { [options.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of output.Responses?.[options.tableName] ?? []) {
          found.set(JSON.stringify(keyOf(item, options.keyNames)), item);
        }
        pending = output.UnprocessedKeys?.[options.tableName]?.Keys ?? [];
      }
    }
    return keys.map((key) => found.get(JSON.stringify(key)));
  }
}

/** The keys a write request touches in the watched table; none for other tables or a bad body. */
function keysWritten(operation: string, body: Buffer, options: WriteTapOptions): Image[] {
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  const key = (item: unknown) => keyOf(item as Image, options.keyNames);
  const unique = (keys: Image[]) => [...new Map(keys.map((k) => [JSON.stringify(k), k])).values()];
  if (operation === 'BatchWriteItem') {
    const writes = (request.RequestItems as Record<string, unknown[]> | undefined)?.[options.tableName];
    if (!Array.isArray(writes)) return [];
    return unique(
      writes.flatMap((write) => {
        // The emulator answers a malformed request with its own error; it writes nothing.
        if (!write || typeof write !== 'object') return [];
        const { PutRequest, DeleteRequest } = write as {
          PutRequest?: { Item?: unknown };
          DeleteRequest?: { Key?: unknown };
        };
        const item = PutRequest?.Item ?? DeleteRequest?.Key;
        return item ? [key(item)] : [];
      }),
    );
  }
  if (request.TableName !== options.tableName) return [];
  const item = operation === 'PutItem' ? request.Item : request.Key;
  return item && typeof item === 'object' ? [key(item)] : [];
}

function keyOf(item: Image, keyNames: readonly string[]): Image {
  const key: Image = {};
  for (const name of keyNames) if (item[name]) key[name] = item[name];
  return key;
}

function streamRecord(
  tableName: string,
  sequence: number,
  key: Image,
  before: Image | undefined,
  after: Image | undefined,
): DynamoDBRecord {
  const eventName = !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY';
  return {
    eventID: randomUUID(),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    eventSourceARN: `arn:aws:dynamodb:local:000000000000:table/${tableName}/stream/embedded`,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      // Images as the emulator returns them: DynamoDB's attribute-value JSON, as in a stream.
      Keys: key as never,
      ...(before ? { OldImage: before as never } : {}),
      ...(after ? { NewImage: after as never } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: Buffer.byteLength(JSON.stringify([key, before ?? {}, after ?? {}])),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The request again, body included, for the emulator: it reads headers, method, url and the body's events. */
function replayOf(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length > 0 ? [body] : []);
  return Object.assign(replay, {
    headers: req.headers,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
  }) as unknown as IncomingMessage;
}

/** First come, first served per key; a request holding several keys waits for each. */
class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(keys: readonly string[]): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    const previous = keys.map((key) => this.tails.get(key));
    for (const key of keys) this.tails.set(key, held);
    await Promise.all(previous);
    return () => {
      for (const key of keys) if (this.tails.get(key) === held) this.tails.delete(key);
      release();
    };
  }
}

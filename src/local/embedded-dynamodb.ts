import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { createDynamoClient } from '../storage/dynamodb-client.js';
import { DataDirError, ensureDataDir } from './data-dir.js';
import { tapTableWrites, type WriteTap, type WriteTapOptions } from './emulator-write-tap.js';

export interface EmbeddedDynamo {
  /** The emulator's URL on loopback, for DYNAMODB_ENDPOINT-style clients. */
  readonly endpoint: string;
  /** Absolute path of the on-disk data, or undefined when in memory. */
  readonly dataDir: string | undefined;
  /** Finishes pending writes and closes the LevelDB store. */
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on a free loopback port. With a data dir the tables live in
 * LevelDB on disk: every acknowledged write is in the store's log, so it survives a restart and
 * a kill -9 of this process.
 */
export interface EmbeddedDynamoOptions {
  readonly dataDir?: string;
  readonly port?: number;
  /** Stream-shaped records of every write to one table, from any client (see emulator-write-tap.ts). */
  readonly tapWrites?: Omit<WriteTapOptions, 'reader'>;
}

export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) await assertStoreUsable(dataDir);
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let reader: DynamoDBClient | undefined;
  let tap: WriteTap | undefined;
  if (options.tapWrites) {
    tap = tapTableWrites(server, {
      ...options.tapWrites,
      reader: () => (reader ??= createDynamoClient({ region: 'local', endpoint })),
    });
  }
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    dataDir,
    close: async () => {
      // The tap's own reads of the last writes' images finish before the store closes.
      await tap?.drain();
      reader?.destroy();
      await new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done())));
    },
  };
}

/**
 * dynalite opens its LevelDB store lazily and crashes the process if that fails, so the store
 * is opened once here first to turn "locked by another server" or "unreadable" into one line.
 */
async function assertStoreUsable(dataDir: string): Promise<void> {
  await ensureDataDir(dataDir);
  const store = new Level(dataDir);
  try {
    await store.open();
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new DataDirError(
      code === 'LEVEL_LOCKED'
        ? `DATA_DIR ${dataDir} is in use by another running server`
        : `DATA_DIR ${dataDir} cannot be opened: ${(error as Error).cause ?? (error as Error).message}`,
    );
  } finally {
    await store.close();
  }
}

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A data directory the local server cannot use; its message is the one line a user sees. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** Creates DATA_DIR if needed and returns its absolute path. */
export async function ensureDataDir(dataDir: string): Promise<string> {
  const absolute = resolve(dataDir);
  try {
    await mkdir(absolute, { recursive: true });
  } catch (error) {
    throw new DataDirError(`DATA_DIR ${absolute} cannot be created: ${(error as Error).message}`);
  }
  return absolute;
}

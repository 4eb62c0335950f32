import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A data directory the local server cannot use; its message is the one line a user sees. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** Long enough for a slow disk, short enough that a hung one does not hang start-up. */
const CHECK_TIMEOUT_MS = 5_000;

/**
 * Creates DATA_DIR if needed, checks it is a writable directory, and returns its absolute
 * path. The missing directories are made one at a time: a recursive `mkdir` under a
 * filesystem that refuses new entries with ENOENT (`/proc`, `/sys`) retries forever.
 */
export async function ensureDataDir(dataDir: string): Promise<string> {
  const absolute = resolve(dataDir);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new DataDirError(`DATA_DIR ${absolute} did not answer within ${CHECK_TIMEOUT_MS / 1000} s`)),
      CHECK_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    await Promise.race([makeUsable(absolute), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return absolute;
}

async function makeUsable(absolute: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = absolute; !(await exists(dir)); dir = dirname(dir)) missing.unshift(dir);
  try {
    for (const dir of missing) await mkdir(dir);
    if (!(await stat(absolute)).isDirectory()) throw new Error('not a directory');
    await access(absolute, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new DataDirError(`DATA_DIR ${absolute} cannot be created: ${(error as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    // Anything else (ENOTDIR: a file on the way) shows when the directory is made.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

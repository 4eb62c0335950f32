import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Locally, with no JWT_SECRET, a random key is made once and kept beside the data, so tokens
 * stay valid across restarts just as the accounts they name do.
 */
export async function devSigningKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'jwt-signing-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(48).toString('base64url');
  // 'wx' fails if another process created it meanwhile; then theirs is the key.
  try {
    await writeFile(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startLocalServer, type LocalServer } from '../../src/local/server.js';

export interface TestServer extends LocalServer {
  /** Stops the server and deletes its temporary data directory. */
  stop(): Promise<void>;
}

/**
 * The real local server (node:http → proxy event → handler) on a free port, with the embedded
 * emulator's data in a fresh temporary directory. `env` overrides configuration variables.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'basic-item-crud-test-'));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', BCRYPT_COST: '4', ...env });
  const server = await startLocalServer({ config });
  return {
    ...server,
    close: () => server.close(),
    stop: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

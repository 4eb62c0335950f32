import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUntilExitWithin } from '../helpers/bounded-process.js';
import { runUntilExit } from '../helpers/service-process.js';

describe('Start-up problems: one clear line and a non-zero exit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'basic-item-crud-startup-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names a bad configuration variable', async () => {
    const { code, stderr } = await runUntilExit({ DATA_DIR: dir, BCRYPT_COST: 'lots' });

    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'Invalid configuration: BCRYPT_COST must be an integer between 4 and 15 (got "lots")',
    );
  });

  it('says which port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runUntilExit({ DATA_DIR: dir, PORT: String(port) });

      expect(code).toBe(1);
      expect(stderr.trim()).toBe(`Cannot start: port ${port} is already in use (set PORT)`);
    } finally {
      blocker.close();
    }
  });

  it('says when the data dir cannot be created', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');

    const { code, stderr } = await runUntilExit({ DATA_DIR: join(file, 'data') });

    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^Cannot start: DATA_DIR .*a-file\/data cannot be created: /);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  // Issue 15.6: a recursive mkdir under /proc never settled, and start-up hung with no output.
  it.each(['/proc/x', '/sys/kernel/x', '/proc'])(
    'says when DATA_DIR=%s is unusable, without hanging',
    async (dataDir) => {
      const { code, stderr, timedOut } = await runUntilExitWithin({ DATA_DIR: dataDir }, 15_000);

      expect(timedOut).toBe(false);
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(new RegExp(`^Cannot start: DATA_DIR ${dataDir} `));
      expect(stderr.trim().split('\n')).toHaveLength(1);
    },
    20_000,
  );
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createItems, httpSend, registerUser, type BenchUser, type Send } from './api-client.js';
import { startScript, type RunningProcess } from './processes.js';

/**
 * The processes the HTTP benchmarks compare, on loopback: one emulator (dynalite in memory,
 * its own process), the service as `npm start` runs it, and the bare baseline server, both
 * talking to that emulator. One user owns `itemCount` items created through the API.
 */
export interface HttpBenchEnvironment {
  readonly emulator: RunningProcess;
  readonly service: RunningProcess;
  readonly baseline: RunningProcess;
  readonly user: BenchUser;
  readonly itemIds: readonly string[];
  readonly send: Send;
  close(): Promise<void>;
}

export async function startHttpBenchEnvironment(itemCount: number): Promise<HttpBenchEnvironment> {
  const dataDir = await mkdtemp(join(tmpdir(), 'basic-item-crud-bench-'));
  const started: RunningProcess[] = [];
  const close = async () => {
    await Promise.all(started.map((p) => p.stop()));
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const emulator = await startScript('bench/lib/emulator-process.ts');
    started.push(emulator);
    const service = await startScript('bench/lib/service-process.ts', {
      PORT: '0',
      DYNAMODB_ENDPOINT: emulator.url,
      DATA_DIR: dataDir,
      JWT_SECRET: 'bench-signing-key-that-is-at-least-32-bytes-long',
      // Access logs on, as in Lambda (to /dev/null here); bcrypt cheap, since sign-in is not measured.
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
    });
    started.push(service);
    const send = httpSend(service.url);
    const user = await registerUser(send, 'http');
    const itemIds = await createItems(send, user.token, itemCount);
    const baseline = await startScript('bench/baselines/server.ts', {
      DYNAMODB_ENDPOINT: emulator.url,
      BENCH_OWNER_ID: user.userId,
    });
    started.push(baseline);
    return { emulator, service, baseline, user, itemIds, send, close };
  } catch (error) {
    await close();
    throw error;
  }
}

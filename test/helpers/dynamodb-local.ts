import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface RunningDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const EMULATOR_DIR = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');

/** AWS's own emulator (DynamoDB Local, shipped by amplify-dynamodb-simulator), in memory, on a free port. */
export async function startDynamoDBLocal(): Promise<RunningDynamo> {
  // The free port is found before Java binds it; if another process takes it in between, Java
  // exits and a fresh port is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort();
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function startOnFreePort(): Promise<RunningDynamo> {
  const port = await freePort();
  const java = spawn(
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-inMemory',
      '-port',
      String(port),
    ],
    { cwd: EMULATOR_DIR, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, java);
  } catch (error) {
    await stop(java);
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { endpoint, close: () => stop(java) };
}

async function waitUntilServing(endpoint: string, java: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    for (let waited = 0; waited < 60_000; waited += 250) {
      if (java.exitCode !== null) throw new Error(`java exited with ${java.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await sleep(250);
      }
    }
    throw new Error('no answer within 60 s');
  } finally {
    client.destroy();
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

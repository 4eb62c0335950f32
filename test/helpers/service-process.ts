import { spawn, type ChildProcess } from 'node:child_process';

/**
 * `npm start`'s entry point as one process (tsx as a loader, not its CLI, which would put the
 * server in a grandchild that a kill -9 would not reach).
 */
export function spawnService(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export interface RunningService {
  readonly child: ChildProcess;
  readonly url: string;
  /** The embedded emulator's endpoint, as the start-up banner prints it. */
  readonly endpoint: string;
}

/** Starts the service; resolves once its banner says where the API and the emulator are. */
export function startService(env: Record<string, string>): Promise<RunningService> {
  const child = spawnService(env);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const endpoint = /\(dynalite\) at (http:\/\/[^,\s]+)/.exec(output)?.[1];
      if (url && endpoint) resolve({ child, endpoint, url });
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
  });
}

/** Runs the service until it exits by itself; for start-up failures. */
export async function runUntilExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawnService(env);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { code: await exited(child), stderr };
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

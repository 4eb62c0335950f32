import { spawn, type ChildProcess } from 'node:child_process';
import type { ReportDocument } from '../../src/migrate/report.js';

export interface MigrateRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MigrateProcess {
  readonly child: ChildProcess;
  /** Resolves when the process (group) has exited. */
  readonly done: Promise<MigrateRun>;
  /** SIGKILL to npm and everything it started, as a crash or `kill -9` of the group would. */
  kill(): void;
}

/**
 * `npm run migrate -- <args>` as an operator runs it, in its own process group. `env` is laid
 * over this process's environment (DYNAMODB_ENDPOINT, USERS_TABLE, ...).
 */
export function startMigrate(args: readonly string[], env: Record<string, string>): MigrateProcess {
  const child = spawn('npm', ['run', '--silent', 'migrate', '--', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<MigrateRun>((resolve) =>
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    kill: () => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

export function runMigrate(args: readonly string[], env: Record<string, string>): Promise<MigrateRun> {
  return startMigrate(args, env).done;
}

/** The `--json` report: the last line of stdout. */
export function reportOf(run: MigrateRun): ReportDocument {
  const line = run.stdout.trim().split('\n').at(-1);
  if (!line?.startsWith('{')) {
    throw new Error(`no JSON report (status ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(line) as ReportDocument;
}

import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { exited } from '../../test/helpers/service-process.js';

export interface RunningProcess {
  readonly child: ChildProcess;
  /** The URL the process announced. */
  readonly url: string;
  /** Memory after a full GC in the child (see gc-probe.ts). */
  heapAfterGc(): Promise<HeapSample>;
  stop(): Promise<void>;
}

export interface HeapSample {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly externalMiB: number;
}

/**
 * A TypeScript entry point of this repository in its own Node process (tsx as a loader, not
 * its CLI, so the pid is the server's), with an IPC channel for `heapAfterGc`. Resolves once
 * the process prints `listening on <url>` on stderr.
 */
export function startScript(script: string, env: Record<string, string> = {}): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  return announced(child, /listening on (http:\/\/\S+)/);
}

function announced(child: ChildProcess, pattern: RegExp): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onExit = (code: number | null) => reject(new Error(`process exited with ${code}: ${output}`));
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = pattern.exec(output)?.[1];
      if (url) {
        child.off('exit', onExit);
        resolve({
          child,
          url,
          heapAfterGc: () =>
            new Promise((answer) => {
              child.once('message', (sample) => answer(sample as HeapSample));
              child.send('heap');
            }),
          stop: async () => {
            if (child.exitCode !== null) return;
            child.kill('SIGTERM');
            await exited(child);
          },
        });
      }
    });
  });
}

/** Resident set size of a process in MiB, as the kernel reports it (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kb / 1024;
}

const TICKS_PER_SECOND = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) a process has used so far, in milliseconds (Linux). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
}

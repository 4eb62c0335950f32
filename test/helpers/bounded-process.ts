import { exited, spawnService } from './service-process.js';

export interface BoundedRun {
  /** The exit code; null when the process had to be killed. */
  readonly code: number | null;
  readonly stderr: string;
  /** True when it was still running at the bound (and was then killed). */
  readonly timedOut: boolean;
}

/**
 * Runs `npm start`'s entry point until it exits by itself, or kills it at `boundMs`: a start-up
 * that hangs fails its test instead of outliving it.
 */
export async function runUntilExitWithin(env: Record<string, string>, boundMs: number): Promise<BoundedRun> {
  const child = spawnService(env);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), boundMs);
  });
  const outcome = await Promise.race([exited(child), bound]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return { code: outcome, stderr, timedOut: false };
  child.kill('SIGKILL');
  await exited(child);
  return { code: null, stderr, timedOut: true };
}

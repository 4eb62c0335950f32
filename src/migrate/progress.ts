import type { MigrationReport } from './report.js';
import type { RequestMeter } from './request-meter.js';

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const EVERY_MS = 250;

/**
 * One line on a terminal, rewritten in place a few times a second: rows read and what became of
 * them, and the request rate. Where the stream is not a terminal (a log, a pipe, CI) nothing is
 * written until the report. Returns the function that clears the line and stops.
 */
export function showProgress(
  report: MigrationReport,
  meter: RequestMeter,
  stream: ProgressStream,
): () => void {
  if (!stream.isTTY) return () => {};
  let lastTotal = meter.total;
  let lastAt = performance.now();
  const render = () => {
    const now = performance.now();
    const rate = ((meter.total - lastTotal) / (now - lastAt)) * 1000;
    lastTotal = meter.total;
    lastAt = now;
    const { users: u, items: i } = report;
    const line =
      `users ${u.read} read (${u.copied} copied, ${u.skipped} skipped) · ` +
      `items ${i.read} read (${i.copied} copied, ${i.updated} updated, ${i.skipped} skipped) · ` +
      `${Math.round(rate)} req/s`;
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns || 120) - 1))}`);
  };
  const timer = setInterval(render, EVERY_MS);
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}

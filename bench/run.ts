import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { measureColdStart } from './cold-start.js';
import { measureDynamoDbCalls } from './dynamodb-calls.js';
import { measureListingScale } from './listing-scale.js';
import { measureMemory } from './memory.js';
import { measureMigration } from './migration.js';
import { measureObservability } from './observability.js';
import { measureSubscriptions } from './subscriptions.js';
import { formatTable, type MeasurementResult } from './lib/report.js';
import { measureThroughput } from './throughput.js';
import { measureWarmOverhead } from './warm-overhead.js';

/**
 * `npm run bench [-- name ...]`: runs the measurements (all, or those named), prints one table
 * and writes `bench/results.json`. In-process measurements run first, then those that start
 * processes of their own.
 */
const measurements: Record<string, () => Promise<MeasurementResult>> = {
  calls: measureDynamoDbCalls,
  warm: measureWarmOverhead,
  listing: measureListingScale,
  'cold-start': measureColdStart,
  throughput: measureThroughput,
  memory: measureMemory,
  migration: measureMigration,
  observability: measureObservability,
  subscriptions: measureSubscriptions,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in measurements));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown measurement(s): ${unknown.join(', ')}; known: ${Object.keys(measurements).join(', ')}\n`,
  );
  process.exit(2);
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  commit: git('rev-parse --short HEAD'),
  workingTreeDirty: git('status --porcelain') !== '',
  loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  startedAt: new Date().toISOString(),
};
process.stderr.write(
  `bench on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.commit}${machine.workingTreeDirty ? ' (dirty)' : ''}, load ${machine.loadAverageAtStart.join(' ')}\n`,
);

const results: MeasurementResult[] = [];
const failures: Record<string, string> = {};
const started = performance.now();
for (const [name, measure] of Object.entries(measurements)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const t0 = performance.now();
  process.stderr.write(`… ${name}\n`);
  try {
    results.push(await measure());
    process.stderr.write(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    // One broken measurement must not hide the others; it is reported and fails the run.
    failures[name] = error instanceof Error ? error.message : String(error);
    process.stderr.write(`  FAILED: ${failures[name]}\n`);
  }
}

const totalSeconds = Math.round((performance.now() - started) / 100) / 10;
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify({ machine, totalSeconds, results, failures }, null, 2)}\n`,
);
process.stdout.write(`\n${formatTable(results)}\n\n`);
for (const result of results)
  for (const note of result.notes) process.stdout.write(`${result.name}: ${note}\n`);
process.stdout.write(`\nTotal ${totalSeconds} s; full results in bench/results.json\n`);
if (Object.keys(failures).length > 0) {
  process.stdout.write(`Failed: ${Object.keys(failures).join(', ')}\n`);
  process.exitCode = 1;
}

function git(args: string): string {
  try {
    return execSync(`git ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalXRayDaemon } from '../test/helpers/xray-daemon.js';
import { BUNDLE, firstRequests, lambdaEnvironment, prepareCompileCache } from './cold-start.js';
import { startScript } from './lib/processes.js';
import { ratioOf, type MeasurementResult, type ResultRow } from './lib/report.js';
import { median, percentile, round } from './lib/stats.js';

const COLD_RUNS = 15;
const WARM_ROUNDS = 3;
/** Issue 13: past this, the tracer must stay off the cold path. */
const TARGET_INIT_RATIO = 1.1;

const MODES = ['off', 'metrics', 'tracing', 'both'] as const;
type Mode = (typeof MODES)[number];
/** Warm only: TRACING=full on requests X-Ray did not sample (most, in production). */
const WARM_MODES = [...MODES, 'unsampled'] as const;
type WarmMode = (typeof WARM_MODES)[number];
const LABELS: Record<Exclude<WarmMode, 'off'>, string> = {
  metrics: 'metrics on',
  tracing: 'TRACING=full',
  both: 'metrics on + TRACING=full',
  unsampled: 'TRACING=full, request not sampled',
};
const ENVIRONMENTS: Record<Mode, Record<string, string>> = {
  off: {},
  metrics: { METRICS_NAMESPACE: 'bench', POWERTOOLS_SERVICE_NAME: 'bench' },
  tracing: { TRACING: 'full' },
  both: { METRICS_NAMESPACE: 'bench', POWERTOOLS_SERVICE_NAME: 'bench', TRACING: 'full' },
};
/** As Lambda sets it for a sampled invocation. */
const SAMPLED_TRACE = 'Root=1-6b0f0000-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1';

/**
 * Like cold-start.ts's probe, but the process lingers 100 ms after measuring, so that what the
 * X-Ray SDK sends (UDP, asynchronously) leaves before it exits: the bench checks it arrived.
 */
const PROBE = `
const booted = performance.now();
const mod = require(process.env.BENCH_BUNDLE);
const loaded = performance.now();
const event = JSON.parse(require('node:fs').readFileSync(process.env.BENCH_EVENT, 'utf8'));
mod.handler(event, { getRemainingTimeInMillis: () => 30000 }).then((result) => {
  const answered = performance.now();
  process.stderr.write('BENCH_RESULT ' + JSON.stringify({ importMs: loaded - booted, firstMs: answered - loaded, status: result.statusCode }) + '\\n');
  setTimeout(() => process.exit(0), 100);
}, (error) => {
  process.stderr.write(String(error && error.stack) + '\\n');
  process.exit(1);
});
`;

interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * What metrics (EMF) and tracing (TRACING=full) cost, against the same build with both off, in
 * the same run: cold (a fresh process: `require` of dist/index.js, then its first request, with
 * the compile cache as the image ships it) and warm (in process, storage answering instantly).
 * TRACING=active runs exactly the code of `off` (Lambda's own tracing is outside the process).
 */
export async function measureObservability(): Promise<MeasurementResult> {
  const notes: string[] = [];
  if (!existsSync(BUNDLE)) {
    const built = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
    if (built.status !== 0 || !existsSync(BUNDLE)) throw new Error(`npm run build failed: ${built.stderr}`);
    notes.push('dist/ was missing: built with `npm run build` first.');
  }
  const daemon = await LocalXRayDaemon.start();
  const work = mkdtempSync(join(tmpdir(), 'bench-observability-'));
  const database = await startScript('bench/lib/emulator-process.ts');
  try {
    const cold = await measureCold(work, database.url, daemon);
    const warm = await measureWarm(daemon);
    return {
      name: 'Observability',
      rows: [...cold.rows, ...warm.rows],
      details: { coldRuns: COLD_RUNS, warmRounds: WARM_ROUNDS, cold: cold.details, warm: warm.details },
      notes: [
        ...notes,
        'Ratios are to the same build with METRICS_NAMESPACE unset and TRACING=off (= active: Lambda traces outside the process), measured in the same run, interleaved.',
        'Cold: fresh `node` processes as Lambda starts them (compile cache as the Dockerfile makes it); with TRACING=full the X-Ray SDK (dist/xray-tracing.js) loads in the first invocation, so it shows in "init + first request", not in init.',
        'Warm: each mode in a process of its own (the SDK hooks every promise of its process), every request a new trace, sampled (the worst case; X-Ray samples 1/s + 5 %) unless the row says not; EMF lines written to a pipe.',
      ],
    };
  } finally {
    await database.stop();
    await daemon.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function measureCold(work: string, databaseUrl: string, daemon: LocalXRayDaemon) {
  const cached = prepareCompileCache(work);
  const env = {
    ...(await lambdaEnvironment(databaseUrl)),
    LAMBDA_TASK_ROOT: dirname(cached.bundle),
    NODE_COMPILE_CACHE: cached.dir,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    _X_AMZN_TRACE_ID: SAMPLED_TRACE,
  };
  const events = await firstRequests(work, env);
  const firsts = { rest: events.rest, graphql: events.graphql };
  type Sample = { importMs: number; firstMs: number };
  const samples = Object.fromEntries(
    MODES.map((mode) => [mode, { rest: [] as Sample[], graphql: [] as Sample[] }]),
  ) as Record<Mode, Record<keyof typeof firsts, Sample[]>>;
  const emfLines: Record<Mode, number> = { off: 0, metrics: 0, tracing: 0, both: 0 };
  const segmentsBefore = daemon.documents.length;

  for (let i = 0; i < COLD_RUNS; i++) {
    for (const mode of MODES) {
      for (const [name, event] of Object.entries(firsts) as [keyof typeof firsts, string][]) {
        const run = await node(['-e', PROBE], {
          ...env,
          ...ENVIRONMENTS[mode],
          BENCH_BUNDLE: cached.bundle,
          BENCH_EVENT: event,
        });
        const line = run.stderr.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
        if (!line) throw new Error(`observability probe (${mode}) failed: ${run.stderr.slice(0, 2000)}`);
        const result = JSON.parse(line.slice('BENCH_RESULT '.length)) as Sample & { status: number };
        if (result.status !== 200) throw new Error(`observability probe (${mode}): status ${result.status}`);
        samples[mode][name].push(result);
        emfLines[mode] += countEmfLines(run.stdout);
      }
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const segments = daemon.documents.length - segmentsBefore;
  checkSwitchedOn('cold', emfLines, segments);

  const p50 = (mode: Mode, name: keyof typeof firsts, pick: (s: Sample) => number) =>
    round(median(samples[mode][name].map(pick)), 1);
  // Every probe's require() is an init, whichever request follows it.
  const init = (mode: Mode) =>
    round(median([...samples[mode].rest, ...samples[mode].graphql].map((s) => s.importMs)), 1);
  const first = (mode: Mode, name: keyof typeof firsts) => p50(mode, name, (s) => s.importMs + s.firstMs);
  const rows: ResultRow[] = [];
  for (const mode of ['metrics', 'tracing', 'both'] as const) {
    rows.push({
      case: `cold: require() of the bundle, ${LABELS[mode]} (p50)`,
      value: init(mode),
      unit: 'ms',
      baselines: [{ label: 'off', value: init('off') }],
      ratio: ratioOf(init(mode), init('off')),
      target: `≤ ${TARGET_INIT_RATIO}× off`,
      met: ratioOf(init(mode), init('off')) <= TARGET_INIT_RATIO,
    });
    for (const [name, what] of [
      ['rest', 'REST GET /item/{id}'],
      ['graphql', 'GraphQL item(id)'],
    ] as const) {
      rows.push({
        case: `cold: init + first ${what}, ${LABELS[mode]} (p50)`,
        value: first(mode, name),
        unit: 'ms',
        baselines: [{ label: 'off', value: first('off', name) }],
        ratio: ratioOf(first(mode, name), first('off', name)),
      });
    }
  }
  const summary = (values: number[]) => ({
    p50: round(median(values), 1),
    p90: round(percentile(values, 90), 1),
    min: round(Math.min(...values), 1),
  });
  const details = {
    emfLines,
    segmentsReceived: segments,
    compileCacheAccepted: cached.accepted,
    modes: Object.fromEntries(
      MODES.map((mode) => [
        mode,
        Object.fromEntries(
          Object.entries(samples[mode]).map(([name, s]) => [
            name,
            { importMs: summary(s.map((x) => x.importMs)), firstMs: summary(s.map((x) => x.firstMs)) },
          ]),
        ),
      ]),
    ),
  };
  return { rows, details };
}

async function measureWarm(daemon: LocalXRayDaemon) {
  const samples = Object.fromEntries(
    WARM_MODES.map((mode) => [mode, {} as Record<string, number[]>]),
  ) as Record<WarmMode, Record<string, number[]>>;
  const emfLines: Record<WarmMode, number> = { off: 0, metrics: 0, tracing: 0, both: 0, unsampled: 0 };
  const segmentsBefore = daemon.documents.length;
  for (let round = 0; round < WARM_ROUNDS; round++) {
    for (const mode of WARM_MODES) {
      const run = await node(['--import', 'tsx', 'bench/lib/observability-warm-probe.ts'], {
        ...process.env,
        BENCH_OBSERVABILITY: mode,
        AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      });
      const line = run.stderr.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) throw new Error(`observability warm probe (${mode}) failed: ${run.stderr.slice(0, 2000)}`);
      const result = JSON.parse(line.slice('BENCH_RESULT '.length)) as { samples: Record<string, number[]> };
      for (const [name, values] of Object.entries(result.samples)) {
        (samples[mode][name] ??= []).push(...values);
      }
      emfLines[mode] += countEmfLines(run.stdout);
    }
  }
  const segments = daemon.documents.length - segmentsBefore;
  checkSwitchedOn('warm', emfLines, segments);

  const p = (mode: WarmMode, name: string, q: number) => round(percentile(samples[mode][name] ?? [], q), 4);
  const rows: ResultRow[] = [];
  for (const mode of ['metrics', 'tracing', 'unsampled', 'both'] as const) {
    for (const name of ['REST get item', 'GraphQL item']) {
      for (const q of mode === 'both' ? [50, 99] : [50]) {
        rows.push({
          case: `warm: ${name} p${q}, ${LABELS[mode]}`,
          value: p(mode, name, q),
          unit: 'ms',
          baselines: [{ label: 'off', value: p('off', name, q) }],
          ratio: ratioOf(p(mode, name, q), p('off', name, q)),
        });
      }
    }
  }
  const details = {
    emfLines,
    segmentsReceived: segments,
    percentilesMs: Object.fromEntries(
      WARM_MODES.map((mode) => [
        mode,
        Object.fromEntries(
          Object.entries(samples[mode]).map(([name, s]) => [
            name,
            { p50: round(median(s), 4), p90: round(percentile(s, 90), 4), p99: round(percentile(s, 99), 4) },
          ]),
        ),
      ]),
    ),
  };
  return { rows, details };
}

/** A measurement of a switch that did nothing would measure nothing: each mode must have shown. */
function checkSwitchedOn(phase: string, emfLines: Record<Mode, number>, segments: number): void {
  if (emfLines.off > 0 || emfLines.tracing > 0) throw new Error(`${phase}: EMF lines with metrics off`);
  if (emfLines.metrics === 0 || emfLines.both === 0)
    throw new Error(`${phase}: no EMF line with METRICS_NAMESPACE set (is dist/ older than the source?)`);
  if (segments === 0)
    throw new Error(`${phase}: no X-Ray segment with TRACING=full (is dist/ older than the source?)`);
}

function countEmfLines(stdout: string): number {
  return stdout.split('\n').filter((line) => line.startsWith('{"_aws"')).length;
}

/** A node process, waited for without blocking this one (the X-Ray stand-in must receive meanwhile). */
function node(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`node exited with ${code}: ${stderr}`)),
    );
  });
}

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { composeApp } from '../src/composition-root.js';
import { loadConfig } from '../src/config.js';
import { ensureTables } from '../src/local/bootstrap-tables.js';
import { createLogger } from '../src/logger.js';
import { createDocumentClient, createDynamoClient } from '../src/storage/dynamodb-client.js';
import { apiGatewayEvent, lambdaContext } from '../test/helpers/api-gateway-events.js';
import { startScript } from './lib/processes.js';
import { ratioOf, type MeasurementResult, type ResultRow } from './lib/report.js';
import { median, percentile, round } from './lib/stats.js';

const RUNS = 15;
export const BUNDLE = resolve('dist/index.js');
const MINIMAL_SOURCE = resolve('bench/baselines/minimal-handler.ts');
const TARGET_INIT_RATIO = 1.3;
const TARGET_BUNDLE_MB = 1.5;
const SECRET = 'bench-signing-key-that-is-at-least-32-bytes-long';

/**
 * What a fresh Lambda process pays before answering, against the least a handler of this API
 * can be (bench/baselines/minimal-handler.ts: a document client, a JWT check, one GetItem),
 * bundled the same way (esbuild, one minified CommonJS file) and measured in the same run,
 * variants interleaved so that noise on this shared machine hits them all. Ours is measured as
 * the image ships it, with the V8 compile cache the Dockerfile makes with the image's own Node
 * (read from a read-only directory, as Lambda's /var/task is), and without it.
 */
const PROBE = `
const booted = performance.now();
const mod = require(process.env.BENCH_BUNDLE);
const loaded = performance.now();
(async () => {
  let status = 0;
  if (process.env.BENCH_EVENT) {
    const event = JSON.parse(require('node:fs').readFileSync(process.env.BENCH_EVENT, 'utf8'));
    status = (await mod.handler(event, { getRemainingTimeInMillis: () => 30000 })).statusCode;
  }
  const answered = performance.now();
  process.stderr.write('BENCH_RESULT ' + JSON.stringify({ importMs: loaded - booted, firstMs: answered - loaded, status, rssMiB: process.memoryUsage().rss / 1048576 }) + '\\n');
  // Lambda freezes the process here; kept-alive sockets must not keep it running.
  process.exit(0);
})().catch((error) => {
  process.stderr.write(String(error && error.stack) + '\\n');
  process.exit(1);
});
`;

interface ProbeRun {
  readonly wallMs: number;
  readonly importMs: number;
  readonly firstMs: number;
  readonly rssMiB: number;
}

type Variant = { readonly bundle: string; readonly event?: string; readonly compileCache?: string };

export async function measureColdStart(): Promise<MeasurementResult> {
  const notes: string[] = [];
  if (!existsSync(BUNDLE)) {
    const built = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
    if (built.status !== 0 || !existsSync(BUNDLE)) throw new Error(`npm run build failed: ${built.stderr}`);
    notes.push('dist/ was missing: built with `npm run build` first.');
  }
  const work = mkdtempSync(join(tmpdir(), 'bench-cold-start-'));
  // In a process of its own: the probes run while this one waits for them (spawnSync).
  const database = await startScript('bench/lib/emulator-process.ts');
  try {
    const minimal = await bundleMinimalHandler(work);
    const cached = prepareCompileCache(work);
    const env = await lambdaEnvironment(database.url);
    const events = await firstRequests(work, env);

    const variants: Record<string, Variant> = {
      'minimal: init': { bundle: minimal },
      'ours: init': { bundle: BUNDLE },
      'ours + compile cache: init': { bundle: cached.bundle, compileCache: cached.dir },
      'minimal: init + first GetItem': { bundle: minimal, event: events.minimal },
      'ours + compile cache: init + first REST GET /item/{id}': {
        bundle: cached.bundle,
        compileCache: cached.dir,
        event: events.rest,
      },
      'ours + compile cache: init + first GraphQL item(id)': {
        bundle: cached.bundle,
        compileCache: cached.dir,
        event: events.graphql,
      },
    };
    const bare: number[] = [];
    const runs: Record<string, ProbeRun[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let i = 0; i < RUNS; i++) {
      bare.push(wall(() => run(['-e', '0'], env)));
      for (const [name, variant] of Object.entries(variants)) runs[name]?.push(probe(variant, env));
    }
    const p50 = (name: string, pick: (r: ProbeRun) => number) =>
      round(median((runs[name] ?? []).map(pick)), 1);
    const init = (name: string) => p50(name, (r) => r.importMs);
    const initAndFirst = (name: string) => p50(name, (r) => r.importMs + r.firstMs);

    const minimalInit = init('minimal: init');
    const minimalFirst = initAndFirst('minimal: init + first GetItem');
    const bundleMb = round(statSync(BUNDLE).size / 1_000_000, 3);
    const initRow = (name: string, headline: boolean): ResultRow => ({
      case: `require() of the bundle, ${name.replace(': init', '')} (p50)`,
      value: init(name),
      unit: 'ms',
      baselines: [{ label: 'minimal handler', value: minimalInit }],
      ratio: ratioOf(init(name), minimalInit),
      ...(headline
        ? {
            target: `≤ ${TARGET_INIT_RATIO}× minimal`,
            met: ratioOf(init(name), minimalInit) <= TARGET_INIT_RATIO,
          }
        : {}),
    });
    const firstRow = (name: string): ResultRow => ({
      case: `${name.replace('ours + compile cache: ', '')}, with the compile cache (p50)`,
      value: initAndFirst(name),
      unit: 'ms',
      baselines: [{ label: 'minimal: init + first GetItem', value: minimalFirst }],
      ratio: ratioOf(initAndFirst(name), minimalFirst),
    });
    const rows: ResultRow[] = [
      initRow('ours + compile cache: init', true),
      initRow('ours: init', false),
      firstRow('ours + compile cache: init + first REST GET /item/{id}'),
      firstRow('ours + compile cache: init + first GraphQL item(id)'),
      {
        case: 'process start, bare `node -e 0` (p50 wall)',
        value: round(median(bare), 1),
        unit: 'ms',
        baselines: [],
      },
      {
        case: 'RSS after init + first GraphQL request (p50)',
        value: p50('ours + compile cache: init + first GraphQL item(id)', (r) => r.rssMiB),
        unit: 'MiB',
        baselines: [{ label: 'minimal', value: p50('minimal: init + first GetItem', (r) => r.rssMiB) }],
      },
      {
        case: 'bundle dist/index.js',
        value: bundleMb,
        unit: 'MB',
        baselines: [{ label: 'minimal', value: round(statSync(minimal).size / 1_000_000, 3) }],
        target: `≤ ${TARGET_BUNDLE_MB} MB`,
        met: bundleMb <= TARGET_BUNDLE_MB,
      },
    ];
    return {
      name: 'Cold start',
      rows,
      details: {
        runs: RUNS,
        node: process.version,
        compileCacheAccepted: cached.accepted,
        bareWallMs: summary(bare),
        variants: Object.fromEntries(
          Object.entries(runs).map(([name, r]) => [
            name,
            { importMs: summary(r.map((x) => x.importMs)), firstMs: summary(r.map((x) => x.firstMs)) },
          ]),
        ),
        bundleBytes: statSync(BUNDLE).size,
        bundleGzipBytes: gzipSync(readFileSync(BUNDLE)).length,
        minimalBundleBytes: statSync(minimal).size,
        distFiles: listDist(),
      },
      notes: [
        ...notes,
        '`require` time inside a fresh `node` process: what the Lambda runtime does in its Init phase with a CommonJS handler. First requests hit a real (embedded) DynamoDB on loopback.',
        `Compile cache: made once by the same Node (for no flags and for --expose-gc, as Lambda's bootstrap runs), then made read-only; V8 ${cached.accepted ? 'accepted' : 'DID NOT accept'} it (NODE_DEBUG_NATIVE=COMPILE_CACHE).`,
      ],
    };
  } finally {
    await database.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The baseline, bundled with the options scripts/build.ts uses for the service. */
async function bundleMinimalHandler(work: string): Promise<string> {
  const outfile = join(work, 'minimal', 'index.js');
  await build({
    entryPoints: [MINIMAL_SOURCE],
    outfile,
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

/** A copy of dist/ with the compile cache the Dockerfile makes, then read-only. */
export function prepareCompileCache(work: string): { bundle: string; dir: string; accepted: boolean } {
  const root = join(work, 'task');
  cpSync(resolve('dist'), root, { recursive: true });
  const dir = join(root, '.node-compile-cache');
  const bundle = join(root, 'index.js');
  for (const flags of [[], ['--expose-gc']]) {
    spawnSync(process.execPath, [...flags, '-e', `try { require(${JSON.stringify(bundle)}) } catch {}`], {
      env: { ...process.env, NODE_ENV: 'production', NODE_COMPILE_CACHE: dir },
    });
  }
  makeReadOnly(root);
  const check = spawnSync(process.execPath, ['-e', `try { require(${JSON.stringify(bundle)}) } catch {}`], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NODE_COMPILE_CACHE: dir,
      NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
    },
    encoding: 'utf8',
  });
  return { bundle, dir, accepted: /code cache for CommonJS .*index\.js was accepted/.test(check.stderr) };
}

function makeReadOnly(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) makeReadOnly(child);
    else chmodSync(child, 0o444);
  }
  chmodSync(path, 0o555);
}

/** Lambda's environment: production mode, the key in the environment, the emulator as DynamoDB. */
export async function lambdaEnvironment(endpoint: string): Promise<NodeJS.ProcessEnv> {
  const env = {
    ...process.env,
    AWS_LAMBDA_FUNCTION_NAME: 'bench-cold-start',
    // As Lambda sets them from the execution role (the emulator accepts any).
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    DYNAMODB_ENDPOINT: endpoint,
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  await ensureTables(createDynamoClient({ region: config.region, endpoint }), {
    users: config.usersTable,
    items: config.itemsTable,
  });
  return { ...env, ITEMS_TABLE: config.itemsTable };
}

/** A signed-in user and an item, made through the service itself; the events that read it. */
export async function firstRequests(work: string, env: NodeJS.ProcessEnv) {
  const config = loadConfig(env);
  const app = composeApp({
    config,
    logger: createLogger('silent'),
    dynamo: createDocumentClient(
      createDynamoClient({ region: config.region, endpoint: config.dynamodbEndpoint }),
    ),
    signingKey: SECRET,
    assetsDir: resolve('build/assets'),
  });
  const send = async (event: ReturnType<typeof apiGatewayEvent>) =>
    JSON.parse((await app(event, lambdaContext())).body) as Record<string, string>;
  const { access_token: token } = await send(
    apiGatewayEvent({
      method: 'POST',
      path: '/user/register',
      body: { username: `cold_${Date.now()}`, password: 'cold start' },
    }),
  );
  const auth = { Authorization: `Bearer ${token}` };
  const { id } = await send(
    apiGatewayEvent({ method: 'POST', path: '/item/', headers: auth, body: { name: 'cold' } }),
  );
  const write = (name: string, event: unknown) => {
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(event));
    return file;
  };
  return {
    rest: write('rest', apiGatewayEvent({ path: `/item/${id}`, headers: auth })),
    minimal: write('minimal', apiGatewayEvent({ path: `/item/${id}`, headers: auth })),
    graphql: write(
      'graphql',
      apiGatewayEvent({
        method: 'POST',
        path: '/graphql',
        headers: auth,
        body: { query: 'query($id: ID!) { item(id: $id) { id name version createdAt } }', variables: { id } },
      }),
    ),
  };
}

function probe(variant: Variant, env: NodeJS.ProcessEnv): ProbeRun {
  let stderr = '';
  const wallMs = wall(() => {
    stderr = run(['-e', PROBE], {
      ...env,
      BENCH_BUNDLE: variant.bundle,
      BENCH_EVENT: variant.event ?? '',
      ...(variant.compileCache ? { NODE_COMPILE_CACHE: variant.compileCache } : {}),
    });
  });
  const line = stderr.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`cold-start probe failed: ${stderr.slice(0, 2000)}`);
  const result = JSON.parse(line.slice('BENCH_RESULT '.length)) as ProbeRun & { status: number };
  if (variant.event && result.status !== 200)
    throw new Error(`cold-start probe: the first request answered ${result.status}`);
  return { wallMs, importMs: result.importMs, firstMs: result.firstMs, rssMiB: result.rssMiB };
}

function run(args: string[], env: NodeJS.ProcessEnv): string {
  const out = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`node ${args[0]} exited with ${out.status}: ${out.stderr}`);
  return out.stderr;
}

function wall(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function summary(values: number[]) {
  return {
    p50: round(median(values), 1),
    p90: round(percentile(values, 90), 1),
    min: round(Math.min(...values), 1),
  };
}

function listDist(): Record<string, number> {
  const files: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[path.slice(resolve('dist').length + 1)] = statSync(path).size;
    }
  };
  walk(resolve('dist'));
  return files;
}

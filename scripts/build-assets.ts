// Builds the browser assets the service serves itself (no CDN): the GraphiQL IDE and the Swagger
// UI docs page, as content-hashed files with precompressed gzip and brotli siblings.
//
//   npm run build:assets            build when the inputs changed since the last build
//   npm run build:assets -- --force build regardless
//
// Output: build/assets/ (copied to ${LAMBDA_TASK_ROOT}/assets in the Lambda image).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { hashedName } from '../src/static/content-hash.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const ASSETS_DIR = join(repoRoot, 'build', 'assets');

/** Written into the output last; the build is current while its inputs hash to this value. */
const FINGERPRINT_FILE = '.inputs-fingerprint';
const BROWSER_SOURCES = join(repoRoot, 'src', 'static', 'browser');
const PACKAGES = [
  'graphiql',
  '@graphiql/react',
  'graphql-ws',
  'react',
  'react-dom',
  'swagger-ui-dist',
  'esbuild',
];
const COMPRESSIBLE = /\.(?:js|css|html|json|svg|txt)$/;
/** Below this, compression saves less than the `content-encoding` header costs. */
const MIN_COMPRESS_BYTES = 1024;

export interface BuiltAsset {
  readonly name: string;
  readonly raw: number;
  readonly gzip: number | undefined;
  readonly brotli: number | undefined;
}

const require = createRequire(import.meta.url);

/** Builds into a fresh directory, then swaps it in, so a reader never sees half a build. */
export async function buildAssets(outDir = ASSETS_DIR): Promise<BuiltAsset[]> {
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    const files = await bundleBrowserCode();
    const swagger = dirname(require.resolve('swagger-ui-dist/package.json'));
    for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png']) {
      files.set(name, withoutSourceMapComment(name, await readFile(join(swagger, name))));
    }

    const hashed = new Map<string, string>();
    for (const [name, bytes] of files) hashed.set(name, hashedName(name, bytes));
    const href = (name: string) => `assets/${hashed.get(name) ?? missing(name)}`;
    const written = new Map<string, Uint8Array>([
      ...[...files].map(([name, bytes]) => [hashed.get(name) as string, bytes] as const),
      ['graphiql.html', Buffer.from(graphiqlPage(href))],
      ['docs.html', Buffer.from(docsPage(href))],
    ]);

    const built: BuiltAsset[] = [];
    for (const [name, bytes] of written) built.push(await writeAsset(staging, name, bytes));
    await writeFile(join(staging, FINGERPRINT_FILE), await inputsFingerprint());
    await swapIn(staging, outDir);
    return built.sort((a, b) => b.raw - a.raw);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Builds unless the output exists and was built from the current inputs (then: undefined). */
export async function ensureAssetsBuilt(outDir = ASSETS_DIR): Promise<BuiltAsset[] | undefined> {
  const built = await readFile(join(outDir, FINGERPRINT_FILE), 'utf8').catch(() => undefined);
  if (built === (await inputsFingerprint())) return undefined;
  return buildAssets(outDir);
}

async function bundleBrowserCode(): Promise<Map<string, Uint8Array>> {
  const result = await build({
    entryPoints: [
      { in: join(BROWSER_SOURCES, 'graphiql.ts'), out: 'graphiql' },
      { in: join(BROWSER_SOURCES, 'graphiql.css'), out: 'graphiql' },
      { in: join(BROWSER_SOURCES, 'docs.ts'), out: 'docs-init' },
    ],
    outdir: join(repoRoot, 'build', 'esbuild-out'),
    write: false,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome111', 'edge111', 'firefox114', 'safari16'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  return new Map(result.outputFiles.map((file) => [basename(file.path), file.contents]));
}

/** The packaged files point at source maps we do not ship; browsers would ask for them. */
function withoutSourceMapComment(name: string, bytes: Buffer): Uint8Array {
  if (!/\.(?:js|css)$/.test(name)) return bytes;
  return Buffer.from(
    bytes.toString('utf8').replace(/\n?\/[*/][#@] sourceMappingURL=\S+(?: \*\/)?\s*$/, '\n'),
  );
}

async function writeAsset(dir: string, name: string, bytes: Uint8Array): Promise<BuiltAsset> {
  await writeFile(join(dir, name), bytes);
  let gzip: number | undefined;
  let brotli: number | undefined;
  if (COMPRESSIBLE.test(name) && bytes.length >= MIN_COMPRESS_BYTES) {
    const gz = gzipSync(bytes, { level: 9 });
    const br = brotliCompressSync(bytes, {
      params: {
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
        [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
    if (gz.length < bytes.length) {
      await writeFile(join(dir, `${name}.gz`), gz);
      gzip = gz.length;
    }
    if (br.length < bytes.length) {
      await writeFile(join(dir, `${name}.br`), br);
      brotli = br.length;
    }
  }
  return { name, raw: bytes.length, gzip, brotli };
}

async function swapIn(staging: string, outDir: string): Promise<void> {
  const previous = `${outDir}.old-${process.pid}-${Date.now()}`;
  await rename(outDir, previous).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await rename(staging, outDir);
  } catch (error) {
    // Another build (a parallel test run) swapped in first; same inputs, same output.
    if (
      (error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' &&
      (error as NodeJS.ErrnoException).code !== 'EEXIST'
    )
      throw error;
  }
  await rm(previous, { recursive: true, force: true });
}

/** What the output depends on: this script, the browser sources and the packaged libraries. */
async function inputsFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const sources = [
    fileURLToPath(import.meta.url),
    join(repoRoot, 'src', 'static', 'content-hash.ts'),
    ...['graphiql.ts', 'graphiql-subscriptions.ts', 'graphiql.css', 'docs.ts'].map((name) =>
      join(BROWSER_SOURCES, name),
    ),
  ];
  for (const file of sources) hash.update(file).update(await readFile(file));
  for (const name of PACKAGES) {
    const { version } = require(`${name}/package.json`) as { version: string };
    hash.update(`${name}@${version}`);
  }
  return hash.digest('hex');
}

function missing(name: string): never {
  throw new Error(`build-assets: no asset named ${name}`);
}

// Both pages use relative URLs: they are served at `/graphql` and `/docs`, next to `assets/`,
// under whatever stage or base path API Gateway puts in front.
function graphiqlPage(href: (name: string) => string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>GraphQL IDE · basic-item-crud</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${href('graphiql.css')}" />
    <script defer src="${href('graphiql.js')}"></script>
  </head>
  <body>
    <div id="graphiql">Loading the GraphQL IDE…</div>
    <noscript>The GraphQL IDE needs JavaScript.</noscript>
  </body>
</html>
`;
}

function docsPage(href: (name: string) => string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>REST API docs · basic-item-crud</title>
    <link rel="icon" type="image/png" href="${href('favicon-32x32.png')}" />
    <link rel="stylesheet" href="${href('swagger-ui.css')}" />
    <script defer src="${href('swagger-ui-bundle.js')}"></script>
    <script defer src="${href('docs-init.js')}"></script>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <noscript>The API docs need JavaScript; the raw document is at openapi.json.</noscript>
  </body>
</html>
`;
}

function formatSizes(assets: readonly BuiltAsset[]): string {
  const kib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024).toFixed(1)} KiB`);
  const rows = assets.map((a) => [a.name, kib(a.raw), kib(a.gzip), kib(a.brotli)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['asset'], ...rows].map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(['asset', 'raw', 'gzip', 'brotli']), ...rows.map(line)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const started = Date.now();
  const assets = force ? await buildAssets() : await ensureAssetsBuilt();
  process.stderr.write(
    assets
      ? `${formatSizes(assets)}\nbuild-assets: built ${ASSETS_DIR} in ${Date.now() - started} ms\n`
      : `build-assets: ${ASSETS_DIR} is up to date\n`,
  );
}

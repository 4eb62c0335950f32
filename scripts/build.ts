// Builds what the Lambda image ships, `dist/`, and nothing else goes into the image:
//
//   dist/index.js       the handler: ONE minified CommonJS file, every dependency inlined
//   dist/xray-tracing.js the X-Ray SDK, required by index.js only when TRACING=full
//   dist/package.json   {"type":"commonjs"}: dist/ stays CommonJS inside this ESM repository
//   dist/assets/        the prebuilt IDE and docs files (from build/assets, `npm run build:assets`)
//
//   npm run build                    build:assets, then this script
//   npm run build -- --analyze       also print what takes the room in the bundle
//
// CommonJS, not ESM: bundled CommonJS dependencies call `require`, which an ESM bundle lacks.
import { cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMetafile, build, type Plugin } from 'esbuild';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const DIST_DIR = join(repoRoot, 'dist');
const ENTRY = join(repoRoot, 'src', 'lambda.ts');
/** Loaded by src/observability/tracing.ts with TRACING=full only: see `xrayTracingApart`. */
const XRAY_ENTRY = join(repoRoot, 'src', 'observability', 'xray-tracing.ts');
const XRAY_BUNDLE = 'xray-tracing.js';
const ASSETS_SOURCE = join(repoRoot, 'build', 'assets');
/** Where the handler looks for its static files in Lambda: `${LAMBDA_TASK_ROOT}/assets`. */
const ASSETS_TARGET = join(DIST_DIR, 'assets');

export interface BuildSummary {
  readonly bundleBytes: number;
}

export async function buildDist(options: { analyze?: boolean } = {}): Promise<BuildSummary> {
  if (!(await exists(ASSETS_SOURCE))) {
    throw new Error(
      `${relative(process.cwd(), ASSETS_SOURCE)} is missing: run \`npm run build:assets\` first`,
    );
  }
  await rm(DIST_DIR, { recursive: true, force: true });
  await mkdir(DIST_DIR, { recursive: true });

  const common = {
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  } as const;
  const result = await build({
    ...common,
    entryPoints: [ENTRY],
    outfile: join(DIST_DIR, 'index.js'),
    // A CommonJS file has no import.meta; give it the real URL of the bundle file.
    banner: { js: 'var __import_meta_url=require("node:url").pathToFileURL(__filename).href;' },
    define: {
      'import.meta.url': '__import_meta_url',
      // The image runs with NODE_ENV=production; dependencies drop their development paths.
      'process.env.NODE_ENV': '"production"',
    },
    plugins: [
      oneBuildOfDualPackages,
      englishOnlyZod,
      withoutApolloGraphOsReporting,
      withoutBrowserFallbacks,
      xrayTracingApart,
    ],
  });
  await build({
    ...common,
    entryPoints: [XRAY_ENTRY],
    outfile: join(DIST_DIR, XRAY_BUNDLE),
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await writeFile(join(DIST_DIR, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  // Dotfiles there are the asset build's own bookkeeping, not assets.
  const isAsset = (path: string) => !path.slice(ASSETS_SOURCE.length).includes('/.');
  await cp(ASSETS_SOURCE, ASSETS_TARGET, { recursive: true, filter: isAsset });

  if (options.analyze) process.stdout.write(await analyzeMetafile(result.metafile));
  return { bundleBytes: (await stat(join(DIST_DIR, 'index.js'))).size };
}

/**
 * Our code imports these packages' ESM builds while CommonJS dependencies (the Lambda
 * integration, Apollo's cache) `require` their CommonJS builds: without this the bundle would
 * carry both copies (and two `HeaderMap` classes). Both only use named exports of them, which
 * a required ESM module provides, so every import of them resolves to the ESM build.
 */
const DUAL_PACKAGES = /^(?:@apollo\/server|lru-cache)(?:\/|$)/;
const oneBuildOfDualPackages: Plugin = {
  name: 'one-build-of-dual-packages',
  setup(bundle) {
    bundle.onResolve({ filter: DUAL_PACKAGES }, (args) => {
      if (args.kind !== 'require-call') return undefined;
      const { resolveDir, importer } = args;
      return bundle.resolve(args.path, { kind: 'import-statement', resolveDir, importer });
    });
  },
};

/**
 * zod re-exports every locale (≈260 KB) as `z.locales`; error messages use English, which it
 * configures by default from its own `locales/en.js`. Nothing here reads `z.locales`.
 */
const englishOnlyZod: Plugin = {
  name: 'english-only-zod',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/node_modules/zod/')
        ? { path: join(args.resolveDir, args.path), namespace: 'zod-english' }
        : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'zod-english' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: join(args.path, '..'),
    }));
  },
};

/**
 * Apollo Server loads its GraphOS reporting plugins (and their ≈150 KB protobuf code) only when
 * APOLLO_KEY and APOLLO_GRAPH_REF are set, which this service never does, plus the inline-trace
 * plugin, which acts only when the schema is a federation subgraph, which it is not.
 */
const APOLLO_REPORTING = /^\.\/plugin\/(?:usageReporting|schemaReporting|inlineTrace)\/index\.js$/;
const withoutApolloGraphOsReporting: Plugin = {
  name: 'without-apollo-graphos-reporting',
  setup(bundle) {
    bundle.onResolve({ filter: APOLLO_REPORTING }, (args) =>
      args.importer.includes('/node_modules/@apollo/server/')
        ? { path: args.path, namespace: 'apollo-graphos-excluded' }
        : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'apollo-graphos-excluded' }, () => ({
      contents: `
        const excluded = () => { throw new Error('Apollo GraphOS reporting is not part of this bundle'); };
        export const ApolloServerPluginUsageReporting = excluded;
        export const ApolloServerPluginSchemaReporting = excluded;
        export const ApolloServerPluginInlineTrace = () => ({});`,
    }));
  },
};

/**
 * The X-Ray SDK (≈130 KB, 12-18 ms of cold `require`) is bundled apart, in dist/xray-tracing.js,
 * which tracing.ts's `import('./xray-tracing.js')` then loads from beside index.js: inlined, it
 * would take the main bundle over its size budget for a module only TRACING=full ever runs.
 */
const xrayTracingApart: Plugin = {
  name: 'xray-tracing-apart',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\/xray-tracing\.js$/ }, (args) =>
      args.importer === join(repoRoot, 'src', 'observability', 'tracing.ts')
        ? { path: `./${XRAY_BUNDLE}`, external: true }
        : undefined,
    );
  },
};

/**
 * Code that runs only outside Node. The SDK's user-agent parser for browsers (bowser) is never
 * called; should that change, the stub throws at once instead of answering wrong. Apollo's hash
 * helper picks `node:crypto` through `module.require`, which a bundle's module wrapper lacks, so
 * bundled it would always fall back to sha.js (pure JavaScript): it is given `node:crypto` itself.
 */
const withoutBrowserFallbacks: Plugin = {
  name: 'without-browser-fallbacks',
  setup(bundle) {
    bundle.onResolve({ filter: /^bowser$/ }, (args) => ({ path: args.path, namespace: 'browser-fallback' }));
    bundle.onLoad({ filter: /.*/, namespace: 'browser-fallback' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get() { throw new Error(${JSON.stringify(`${args.path} is not part of this bundle (Node only)`)}); } });`,
    }));
    bundle.onResolve({ filter: /^@apollo\/utils\.createhash$/ }, (args) => ({
      path: args.path,
      namespace: 'node-crypto-hash',
    }));
    bundle.onLoad({ filter: /.*/, namespace: 'node-crypto-hash' }, () => ({
      contents: `const { createHash } = require('node:crypto'); exports.createHash = (kind) => createHash(kind);`,
    }));
  },
};

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bundleBytes } = await buildDist({ analyze: process.argv.includes('--analyze') });
  const where = relative(process.cwd(), DIST_DIR) || '.';
  process.stdout.write(
    `${where}/index.js: ${(bundleBytes / 1024).toFixed(0)} KiB; assets in ${where}/assets\n`,
  );
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '../../src/http/api-gateway.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { apiGatewayEvent, type EventOptions } from '../helpers/api-gateway-events.js';
import { LocalRuntimeApi } from '../helpers/lambda-runtime-api.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(repoRoot, 'dist');
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const TABLES = { users: 'image-e2e-users', items: 'image-e2e-items' };

/** The handler the image runs: the CMD of the Dockerfile's final stage, e.g. `index.handler`. */
function handlerFromCmd(): string {
  const cmd = /^CMD\s+\["([^"]+)"\]\s*$/m.exec(dockerfile);
  if (!cmd?.[1]) throw new Error('the Dockerfile has no exec-form CMD');
  return cmd[1];
}

/** The Dockerfile's RUN that makes the V8 compile cache of the bundle in the final stage. */
function compileCacheCommand(): string {
  const run = /^RUN (.*NODE_COMPILE_CACHE.*)$/m.exec(dockerfile)?.[1];
  if (!run) throw new Error('the Dockerfile makes no compile cache');
  return run;
}

/** Lambda mounts /var/task read-only. */
function makeReadOnly(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) makeReadOnly(child);
    else chmodSync(child, 0o444);
  }
  chmodSync(path, 0o555);
}

/**
 * The image, without Docker: dist/ built by the Dockerfile's own build command, then loaded by
 * AWS's Lambda runtime interface client (`aws-lambda-ric`, the client of the nodejs base
 * images) in a fresh Node process, polling a local Runtime API for API Gateway events.
 */
describe('Image entry point: dist/ through the Lambda runtime client', () => {
  let dynamo: EmbeddedDynamo;
  let runtimeApi: LocalRuntimeApi;
  let runtime: ChildProcess;
  let runtimeOutput = '';
  let taskRoot: string;

  const invoke = async (options: EventOptions): Promise<ApiResult & { json: () => unknown }> => {
    const result = (await runtimeApi.invoke(apiGatewayEvent(options))) as ApiResult;
    return { ...result, json: () => JSON.parse(result.body) as unknown };
  };

  beforeAll(async () => {
    // Prepare: the build the Dockerfile runs, and the files its final stage copies.
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist\/ \$\{LAMBDA_TASK_ROOT\}\/$/m);
    await promisify(execFile)('npm', ['run', 'build'], { cwd: repoRoot });
    // The final stage: dist/ in the task root, the compile cache made by the Dockerfile's own
    // command with this Node (the image's), then everything read-only.
    taskRoot = mkdtempSync(join(tmpdir(), 'image-task-root-'));
    cpSync(dist, taskRoot, { recursive: true });
    const compileCache = join(taskRoot, '.node-compile-cache');
    await promisify(execFile)('sh', ['-c', compileCacheCommand()], {
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        LAMBDA_TASK_ROOT: taskRoot,
        NODE_COMPILE_CACHE: compileCache,
        NODE_ENV: 'production',
      },
    });
    makeReadOnly(taskRoot);

    dynamo = await startEmbeddedDynamo();
    await ensureTables(createDynamoClient({ region: 'eu-west-1', endpoint: dynamo.endpoint }), TABLES);
    runtimeApi = await LocalRuntimeApi.start();

    runtime = spawn(process.execPath, [join(repoRoot, 'node_modules/aws-lambda-ric/index.mjs')], {
      cwd: taskRoot,
      env: {
        PATH: process.env.PATH,
        // What Lambda sets for an image function: the runtime API, the task root and the CMD.
        AWS_LAMBDA_RUNTIME_API: runtimeApi.address,
        LAMBDA_TASK_ROOT: taskRoot,
        _HANDLER: handlerFromCmd(),
        AWS_LAMBDA_FUNCTION_NAME: 'basic-item-crud-dev',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/basic-item-crud-dev',
        AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/24/[$LATEST]image-entrypoint-test',
        AWS_REGION: 'eu-west-1',
        // The image's ENV and the stack's environment, with the emulator and a local key.
        NODE_ENV: 'production',
        REGION: 'eu-west-1',
        USERS_TABLE: TABLES.users,
        ITEMS_TABLE: TABLES.items,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        JWT_SECRET: 'image-entrypoint-test-signing-key-0123456789',
        LOG_LEVEL: 'warn',
        // The image's ENV; Node says whether V8 took the cache.
        NODE_COMPILE_CACHE: compileCache,
        NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    runtime.stdout?.on('data', (chunk: Buffer) => (runtimeOutput += chunk.toString()));
    runtime.stderr?.on('data', (chunk: Buffer) => (runtimeOutput += chunk.toString()));
    runtime.on('exit', (code) => runtimeApi.failAll(new Error(`runtime exited (${code}): ${runtimeOutput}`)));
  });

  afterAll(async () => {
    runtime?.kill();
    await runtimeApi?.close();
    await dynamo?.close();
    if (taskRoot) {
      chmodSync(taskRoot, 0o755);
      rmSync(taskRoot, { recursive: true, force: true });
    }
  });

  it('ships one CommonJS bundle and the static assets, no node_modules', () => {
    const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')) as unknown;
    expect(pkg).toEqual({ type: 'commonjs' });
    const bundle = readFileSync(join(dist, 'index.js'), 'utf8');
    const loaded = [...bundle.matchAll(/(?:require|import)\("([^"]+)"\)/g)].map((m) => m[1]);
    const notNode = new Set(
      loaded.filter((name) => !name?.startsWith('node:') && !builtinModules.includes(name ?? '')),
    );
    // The SDK tries this optional package inside a try/catch, for SigV4a signing only. The X-Ray
    // SDK is bundled apart, beside index.js, and loaded only with TRACING=full.
    expect(notNode).toEqual(new Set(['@aws-sdk/signature-v4-crt', './xray-tracing.js']));
    expect(readFileSync(join(dist, 'xray-tracing.js'), 'utf8')).toContain('startXRayTracing');
    expect(readFileSync(join(dist, 'assets', 'graphiql.html'), 'utf8')).toContain('<!doctype html>');
  });

  describe.each<[string, string, Pick<EventOptions, 'stage' | 'basePath'>]>([
    ['execute-api stage URL (stage stripped from the path)', 'stage', { stage: 'dev' }],
    ['custom domain with base path /v1 (base path kept in the path)', 'domain', { basePath: '/v1' }],
  ])('%s', (_shape, shapeName, location) => {
    it('answers REST GET /health', async () => {
      // Act
      const response = await invoke({ ...location, path: '/health' });
      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
      expect(response.headers?.['x-request-id']).toEqual(expect.any(String));
    });

    it('answers GraphQL { health { status } }', async () => {
      const response = await invoke({
        ...location,
        method: 'POST',
        path: '/graphql',
        body: { query: '{ health { status } }' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ data: { health: { status: 'ok' } } });
    });

    it('registers and logs in against the emulator', async () => {
      const username = `image_${shapeName}_${Date.now()}`;
      const credentials = { username, password: 'correct horse battery' };

      const registered = await invoke({
        ...location,
        method: 'POST',
        path: '/user/register',
        body: credentials,
      });
      const loggedIn = await invoke({ ...location, method: 'POST', path: '/user/login', body: credentials });

      expect(registered.statusCode).toBe(201);
      expect(loggedIn.statusCode).toBe(200);
      expect(loggedIn.json()).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    });
  });

  it('loads the bundle with the compile cache the Dockerfile makes, from a read-only task root', () => {
    expect(runtimeOutput).toMatch(/V8 code cache for CommonJS \S*index\.js was accepted/);
  });

  it('started without an init error', () => {
    expect(runtimeApi.initError, runtimeOutput).toBeUndefined();
  });
});

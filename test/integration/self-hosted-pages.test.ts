import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiHandler, ApiResult } from '../../src/http/api-gateway.js';
import { apiGatewayEvent, lambdaContext, type EventOptions } from '../helpers/api-gateway-events.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

/** Lambda refuses a response payload (the whole JSON result, body base64-encoded) over 6 MB. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;
const BUILT_ASSETS = fileURLToPath(new URL('../../build/assets', import.meta.url));
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('Self-hosted GraphQL IDE and REST docs, through the Lambda handler', () => {
  let app: TestHandler;

  beforeAll(async () => {
    app = await createTestHandler();
  });

  afterAll(async () => {
    await app?.stop();
  });

  const send = (options: EventOptions): Promise<ApiResult> =>
    app.handler(apiGatewayEvent(options), lambdaContext());

  /** The `assets/...` files a page links to. */
  const linkedAssets = (html: string): string[] =>
    [...html.matchAll(/(?:src|href)="assets\/([^"]+)"/g)].map((match) => match[1] as string);

  it('answers GET /graphql from a browser with the GraphiQL page, under a strict script policy', async () => {
    // Act
    const result = await send({ path: '/graphql', headers: { Accept: BROWSER_ACCEPT } });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers?.['cache-control']).toBe('no-cache');
    expect(result.headers?.['content-security-policy']).toContain("script-src 'self';");
    expect(result.headers?.['content-security-policy']).toContain("connect-src 'self'");
    expect(result.body).toContain('<div id="graphiql">');
    expect(result.body).not.toMatch(/https?:\/\//);
    expect(linkedAssets(result.body)).toEqual([
      expect.stringMatching(/^graphiql-[0-9a-f]{10}\.css$/),
      expect.stringMatching(/^graphiql-[0-9a-f]{10}\.js$/),
    ]);
  });

  it('still answers a GraphQL client on GET /graphql with GraphQL, not the page', async () => {
    // Act
    const result = await send({
      path: '/graphql',
      query: { query: '{ health { status } }' },
      headers: { Accept: 'application/json', 'Apollo-Require-Preflight': 'true' },
    });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('serves the docs page behind a custom domain base path', async () => {
    // Act
    const result = await send({ path: '/docs', basePath: '/v1', headers: { Accept: BROWSER_ACCEPT } });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('<div id="swagger-ui">');
    expect(result.body).not.toMatch(/https?:\/\//);
    expect(linkedAssets(result.body)).toHaveLength(4);
  });

  it('serves every asset both pages link, cacheable for a year, each response well under the Lambda limit', async () => {
    // Prepare
    const pages = await Promise.all([
      send({ path: '/graphql', headers: { Accept: BROWSER_ACCEPT } }),
      send({ path: '/docs' }),
    ]);
    const names = pages.flatMap((page) => linkedAssets(page.body));

    for (const name of names) {
      for (const acceptEncoding of ['br', 'gzip', 'identity']) {
        // Act
        const result = await send({
          path: `/assets/${name}`,
          headers: { 'Accept-Encoding': acceptEncoding },
        });

        // Assess
        expect(result.statusCode, name).toBe(200);
        expect(result.headers?.['cache-control'], name).toBe('public, max-age=31536000, immutable');
        expect(JSON.stringify(result).length, `${name} (${acceptEncoding})`).toBeLessThan(
          LAMBDA_RESPONSE_LIMIT / 2,
        );
      }
    }
    expect(names.length).toBe(6);
  });
});

describe('Lambda entry point: where the assets are read from', () => {
  let taskRoot: string | undefined;

  afterEach(async () => {
    vi.unstubAllEnvs();
    if (taskRoot) await rm(taskRoot, { recursive: true, force: true });
  });

  /** src/lambda.ts freshly imported (its module scope is the cold start) with this environment. */
  async function coldStart(env: Record<string, string>): Promise<ApiHandler> {
    vi.stubEnv('JWT_SECRET', 'a-test-signing-key-of-at-least-32-bytes');
    vi.stubEnv('LOG_LEVEL', 'silent');
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.resetModules();
    return (await import('../../src/lambda.js')).handler;
  }

  it('reads ${LAMBDA_TASK_ROOT}/assets in Lambda', async () => {
    // Prepare
    taskRoot = await mkdtemp(join(tmpdir(), 'lambda-task-root-'));
    await cp(BUILT_ASSETS, join(taskRoot, 'assets'), { recursive: true });
    await writeFile(
      join(taskRoot, 'assets', 'docs.html'),
      '<!doctype html><title>from the task root</title>',
    );
    const handler = await coldStart({ LAMBDA_TASK_ROOT: taskRoot });

    // Act
    const result = await handler(apiGatewayEvent({ path: '/docs' }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('<!doctype html><title>from the task root</title>');
  });

  it("reads the repository's build/assets anywhere else", async () => {
    // Prepare
    const handler = await coldStart({ LAMBDA_TASK_ROOT: '' });

    // Act
    const result = await handler(apiGatewayEvent({ path: '/docs' }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('<div id="swagger-ui">');
  });
});

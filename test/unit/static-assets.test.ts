import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent, ApiResult } from '../../src/http/api-gateway.js';
import { readRequest } from '../../src/http/request.js';
import { createLogger } from '../../src/logger.js';
import { createAssetStore, IMMUTABLE, REVALIDATE } from '../../src/static/asset-store.js';
import { hashedName } from '../../src/static/content-hash.js';
import { DOCS_PAGE, IDE_PAGE } from '../../src/static/page-security.js';
import { createStaticTransport, isStaticPath } from '../../src/static/static-routes.js';
import { apiGatewayEvent } from '../helpers/api-gateway-events.js';

const SCRIPT = Buffer.from(`console.log(${JSON.stringify('served from disk '.repeat(200))});\n`);
const SCRIPT_NAME = hashedName('app.js', SCRIPT);
// A PNG signature and a few bytes that are not valid UTF-8.
const IMAGE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x80]);
const IMAGE_NAME = hashedName('logo.png', IMAGE);
const STYLE = Buffer.from('body { margin: 0 }\n');
const DOCS_HTML = '<!doctype html><title>docs</title><script defer src="assets/x.js"></script>';

/** The static transport as the app routes to it: undefined for a path that is not a static one. */
type StaticRoutes = (event: ApiEvent) => Promise<ApiResult | undefined>;

function staticRoutes(assetsDir: string): StaticRoutes {
  const transport = createStaticTransport({
    assets: createAssetStore(assetsDir),
    logger: createLogger('silent'),
  });
  return async (event) => {
    const request = readRequest(event);
    if (!isStaticPath(request.path)) return undefined;
    try {
      return await transport.serve(request, {});
    } catch (error) {
      return transport.fail(error, request, {});
    }
  };
}

interface Fixture {
  readonly root: string;
  readonly assetsDir: string;
  serve: StaticRoutes;
}

/** An assets directory as the build writes it, next to a file that must never be served. */
async function createFixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'static-assets-'));
  const assetsDir = join(root, 'assets');
  await mkdir(assetsDir);
  await writeFile(join(root, 'secret.txt'), 'outside the assets directory');
  await writeFile(join(assetsDir, SCRIPT_NAME), SCRIPT);
  await writeFile(join(assetsDir, `${SCRIPT_NAME}.gz`), gzipSync(SCRIPT));
  await writeFile(join(assetsDir, `${SCRIPT_NAME}.br`), brotliCompressSync(SCRIPT));
  await writeFile(join(assetsDir, IMAGE_NAME), IMAGE);
  // A name that claims a hash its content does not have: never cached as immutable.
  await writeFile(join(assetsDir, 'style-0123456789.css'), STYLE);
  await writeFile(join(assetsDir, DOCS_PAGE), DOCS_HTML);
  await writeFile(join(assetsDir, IDE_PAGE), '<!doctype html><title>ide</title>');
  await writeFile(join(assetsDir, 'data.bin'), Buffer.from([1, 2, 3]));
  await writeFile(join(assetsDir, '.inputs-fingerprint'), 'build bookkeeping');
  return { root, assetsDir, serve: staticRoutes(assetsDir) };
}

function request(
  fixture: Fixture,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<ApiResult | undefined> {
  return fixture.serve(apiGatewayEvent({ method, path, headers }));
}

async function answer(...args: Parameters<typeof request>): Promise<ApiResult> {
  const result = await request(...args);
  if (!result) throw new Error(`no static route answered ${args[1]}`);
  return result;
}

function bodyBytes(result: ApiResult): Buffer {
  return Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
}

describe('Static assets', () => {
  let fixture: Fixture;

  beforeEach(async () => {
    fixture = await createFixture();
  });

  afterEach(async () => {
    await rm(fixture.root, { recursive: true, force: true });
  });

  describe('routing', () => {
    it('leaves every other path to the next route', async () => {
      // Act
      const results = await Promise.all(
        ['/health', '/graphql', '/item/assets', '/assets', '/docs/extra', '/api/item'].map((path) =>
          request(fixture, path),
        ),
      );

      // Assess
      expect(results).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    });

    it('serves the docs and the assets under the legacy /api prefix too, as every route', async () => {
      // Act
      const docs = await answer(fixture, '/api/docs');
      const asset = await answer(fixture, `/api/docs/assets/${SCRIPT_NAME}`);

      // Assess
      expect(docs.statusCode).toBe(200);
      expect(docs.body).toBe(DOCS_HTML);
      expect(bodyBytes(asset)).toEqual(SCRIPT);
    });

    it('serves assets linked from a page reached with a trailing slash', async () => {
      // Act
      const fromDocs = await answer(fixture, `/docs/assets/${SCRIPT_NAME}`);
      const fromIde = await answer(fixture, `/graphql/assets/${SCRIPT_NAME}`);

      // Assess
      expect(bodyBytes(fromDocs)).toEqual(SCRIPT);
      expect(bodyBytes(fromIde)).toEqual(SCRIPT);
    });

    it('answers 405 with Allow for a method other than GET and HEAD', async () => {
      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`, {}, 'POST');

      // Assess
      expect(result.statusCode).toBe(405);
      expect(result.headers?.allow).toBe('GET, HEAD');
      expect(JSON.parse(result.body)).toMatchObject({ detail: 'Method POST not allowed on /assets/{name}' });
    });
  });

  describe('content types', () => {
    it.each([
      [SCRIPT_NAME, 'text/javascript; charset=utf-8'],
      ['style-0123456789.css', 'text/css; charset=utf-8'],
      [IMAGE_NAME, 'image/png'],
      [DOCS_PAGE, 'text/html; charset=utf-8'],
      ['data.bin', 'application/octet-stream'],
    ])('serves %s as %s', async (name, contentType) => {
      // Act
      const result = await answer(fixture, `/assets/${name}`);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.headers?.['content-type']).toBe(contentType);
      expect(result.headers?.['x-content-type-options']).toBe('nosniff');
    });

    it('sends text as a UTF-8 string and binary files base64-encoded', async () => {
      // Act
      const text = await answer(fixture, `/assets/${SCRIPT_NAME}`);
      const image = await answer(fixture, `/assets/${IMAGE_NAME}`);

      // Assess
      expect(text.isBase64Encoded).toBe(false);
      expect(text.body).toBe(SCRIPT.toString('utf8'));
      expect(image.isBase64Encoded).toBe(true);
      expect(Buffer.from(image.body, 'base64')).toEqual(IMAGE);
    });
  });

  describe('compression', () => {
    it('sends the brotli variant to a client that accepts it', async () => {
      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`, {
        'Accept-Encoding': 'gzip, deflate, br',
      });

      // Assess
      expect(result.headers?.['content-encoding']).toBe('br');
      expect(result.headers?.vary).toBe('Accept-Encoding');
      expect(result.isBase64Encoded).toBe(true);
      expect(brotliDecompressSync(Buffer.from(result.body, 'base64'))).toEqual(SCRIPT);
    });

    it('sends the gzip variant to a client that accepts only gzip', async () => {
      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`, { 'accept-encoding': 'gzip' });

      // Assess
      expect(result.headers?.['content-encoding']).toBe('gzip');
      expect(gunzipSync(Buffer.from(result.body, 'base64'))).toEqual(SCRIPT);
    });

    it('sends the plain bytes when nothing compressed is acceptable', async () => {
      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`, {
        'accept-encoding': 'br;q=0, gzip;q=0',
      });

      // Assess
      expect(result.headers?.['content-encoding']).toBeUndefined();
      expect(result.headers?.vary).toBe('Accept-Encoding');
      expect(bodyBytes(result)).toEqual(SCRIPT);
    });

    it('sends the plain bytes when the build made no compressed variant', async () => {
      // Act
      const result = await answer(fixture, `/assets/${IMAGE_NAME}`, { 'accept-encoding': 'br, gzip' });

      // Assess
      expect(result.headers?.['content-encoding']).toBeUndefined();
      expect(result.headers?.vary).toBeUndefined();
      expect(bodyBytes(result)).toEqual(IMAGE);
    });
  });

  describe('caching', () => {
    it('marks a file whose name carries its content hash immutable for a year', async () => {
      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`);

      // Assess
      expect(result.headers?.['cache-control']).toBe(IMMUTABLE);
      expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    });

    it('revalidates pages and files whose name does not match their content', async () => {
      // Act
      const page = await answer(fixture, `/assets/${DOCS_PAGE}`);
      const misnamed = await answer(fixture, '/assets/style-0123456789.css');

      // Assess
      expect(page.headers?.['cache-control']).toBe(REVALIDATE);
      expect(misnamed.headers?.['cache-control']).toBe(REVALIDATE);
    });

    it('gives each encoding its own strong ETag', async () => {
      // Act
      const plain = await answer(fixture, `/assets/${SCRIPT_NAME}`);
      const brotli = await answer(fixture, `/assets/${SCRIPT_NAME}`, { 'accept-encoding': 'br' });
      const gzip = await answer(fixture, `/assets/${SCRIPT_NAME}`, { 'accept-encoding': 'gzip' });

      // Assess
      const tags = [plain, brotli, gzip].map((result) => result.headers?.etag);
      for (const tag of tags) expect(tag).toMatch(/^"[\w-]+"$/);
      expect(new Set(tags).size).toBe(3);
    });

    it('answers 304 without a body when the cached copy is current', async () => {
      // Prepare
      const first = await answer(fixture, `/assets/${SCRIPT_NAME}`, { 'accept-encoding': 'br' });
      const etag = String(first.headers?.etag);

      // Act
      const exact = await answer(fixture, `/assets/${SCRIPT_NAME}`, {
        'accept-encoding': 'br',
        'if-none-match': etag,
      });
      const weakInList = await answer(fixture, `/assets/${SCRIPT_NAME}`, {
        'accept-encoding': 'br',
        'if-none-match': `"other", W/${etag}`,
      });

      // Assess
      for (const result of [exact, weakInList]) {
        expect(result.statusCode).toBe(304);
        expect(result.body).toBe('');
        expect(result.headers?.etag).toBe(etag);
        expect(result.headers?.['cache-control']).toBe(IMMUTABLE);
      }
    });

    it("sends the body again when the cached copy is another encoding's", async () => {
      // Prepare
      const brotli = await answer(fixture, `/assets/${SCRIPT_NAME}`, { 'accept-encoding': 'br' });

      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`, {
        'accept-encoding': 'gzip',
        'if-none-match': String(brotli.headers?.etag),
      });

      // Assess
      expect(result.statusCode).toBe(200);
      expect(gunzipSync(Buffer.from(result.body, 'base64'))).toEqual(SCRIPT);
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`, {}, 'HEAD');

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
      expect(result.body).toBe('');
    });
  });

  describe('what is never served', () => {
    it('answers 404 for an asset the build did not make', async () => {
      // Act
      const result = await answer(fixture, '/assets/missing-0123456789.js');

      // Assess
      expect(result.statusCode).toBe(404);
      expect(JSON.parse(result.body)).toMatchObject({ detail: 'No such asset' });
    });

    it.each([
      ['a compressed variant on its own', `/assets/${SCRIPT_NAME}.gz`],
      ['the build bookkeeping', '/assets/.inputs-fingerprint'],
      ['the directory itself', '/assets/.'],
      ['the parent directory', '/assets/..'],
      ['an encoded traversal', '/assets/..%2Fsecret.txt'],
      ['a backslash traversal', '/assets/..\\secret.txt'],
    ])('answers 404 for %s', async (_case, path) => {
      // Act
      const result = await answer(fixture, path);

      // Assess
      expect(result.statusCode).toBe(404);
      expect(result.body).not.toContain('outside the assets directory');
    });

    it('does not route a decoded traversal to the assets at all', async () => {
      // Act
      const result = await request(fixture, '/assets/../secret.txt');

      // Assess
      expect(result).toBeUndefined();
    });
  });

  describe('the docs page', () => {
    it.each(['/docs', '/docs/'])('serves %s with a strict Content-Security-Policy', async (path) => {
      // Act
      const result = await answer(fixture, path);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe(DOCS_HTML);
      expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(result.headers?.['cache-control']).toBe('no-cache');
      const policy = String(result.headers?.['content-security-policy']);
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("style-src 'self';");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
    });

    it('lets the GraphQL IDE page, and only it, apply inline styles', async () => {
      // Act
      const ide = await answer(fixture, `/assets/${IDE_PAGE}`);

      // Assess
      const policy = String(ide.headers?.['content-security-policy']);
      expect(policy).toContain("style-src 'self' 'unsafe-inline'");
      expect(policy).toContain("script-src 'self';");
    });
  });

  describe('reading from disk', () => {
    it('reads each asset once and then serves it from memory', async () => {
      // Prepare
      await answer(fixture, `/assets/${SCRIPT_NAME}`);
      await writeFile(join(fixture.assetsDir, SCRIPT_NAME), 'changed on disk afterwards');

      // Act
      const result = await answer(fixture, `/assets/${SCRIPT_NAME}`);

      // Assess
      expect(bodyBytes(result)).toEqual(SCRIPT);
    });

    it('names a missing build, and finds one made after start-up', async () => {
      // Prepare
      const late = join(fixture.root, 'late');
      const transport = createStaticTransport({
        assets: createAssetStore(late),
        logger: createLogger('silent'),
      });
      const serve = (request = readRequest(apiGatewayEvent({ path: `/assets/${IMAGE_NAME}` }))) =>
        transport.serve(request, {});
      await expect(serve()).rejects.toThrow(/static assets not found in .*late.*npm run build:assets/);
      await mkdir(late);
      await writeFile(join(late, IMAGE_NAME), IMAGE);

      // Act
      const result = await serve();

      // Assess
      expect(result?.statusCode).toBe(200);
      expect(Buffer.from(String(result?.body), 'base64')).toEqual(IMAGE);
    });
  });
});

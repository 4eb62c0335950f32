import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface Fetched {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Buffer;
}

/** The `assets/...` names a page links to (relative to itself). */
function linkedAssets(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="assets\/([^"]+)"/g)].map((match) => match[1] as string);
}

/**
 * Issue 15.7: the docs say every path also answers under the legacy `/api` prefix, so the
 * pages, the GraphQL endpoint, the OpenAPI document and the assets must, each exactly as its
 * unprefixed path answers.
 */
describe('Every path answers under the /api prefix as without it', () => {
  let server: TestServer;
  let docsAssets: string[];
  let ideAssets: string[];

  beforeAll(async () => {
    server = await startTestServer();
    docsAssets = linkedAssets((await get('/docs')).body.toString('utf8'));
    ideAssets = linkedAssets((await get('/graphql', { accept: BROWSER_ACCEPT })).body.toString('utf8'));
  });
  afterAll(() => server.stop());

  async function get(path: string, headers: Record<string, string> = {}): Promise<Fetched> {
    const response = await fetch(`${server.url}${path}`, { headers });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: Buffer.from(await response.arrayBuffer()),
    };
  }

  it.each([
    ['the REST docs page', '/docs', {}],
    ['the REST docs page with a trailing slash', '/docs/', {}],
    ['the OpenAPI document', '/openapi.json', {}],
    ['the GraphQL IDE page, to a browser', '/graphql', { accept: BROWSER_ACCEPT }],
  ])('serves %s', async (_what, path, headers: Record<string, string>) => {
    // Act
    const [plain, prefixed] = await Promise.all([get(path, headers), get(`/api${path}`, headers)]);

    // Assess
    expect(plain.status).toBe(200);
    expect(prefixed.status).toBe(200);
    expect(prefixed.contentType).toBe(plain.contentType);
    expect(prefixed.body.equals(plain.body)).toBe(true);
  });

  it('answers a GraphQL query POSTed to /api/graphql', async () => {
    // Prepare
    const post = (path: string) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { status } }' }),
      });

    // Act
    const response = await post('/api/graphql');

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('serves every asset the pages link, from wherever the prefixed pages resolve them', async () => {
    // Prepare: the pages link `assets/<name>` relative to themselves.
    const paths = [
      ...docsAssets.flatMap((name) => [`/assets/${name}`, `/docs/assets/${name}`]),
      ...ideAssets.flatMap((name) => [`/assets/${name}`, `/graphql/assets/${name}`]),
    ];

    // Act
    const pairs = await Promise.all(
      paths.map(async (path) => ({ path, plain: await get(path), prefixed: await get(`/api${path}`) })),
    );

    // Assess
    expect(docsAssets.length).toBeGreaterThan(0);
    expect(ideAssets.length).toBeGreaterThan(0);
    for (const { path, plain, prefixed } of pairs) {
      expect([path, plain.status, prefixed.status]).toEqual([path, 200, 200]);
      expect(prefixed.body.equals(plain.body), path).toBe(true);
    }
  });
});

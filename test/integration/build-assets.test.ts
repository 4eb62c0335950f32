import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAssetsBuilt, type BuiltAsset } from '../../scripts/build-assets.js';
import { contentHash } from '../../src/static/content-hash.js';

describe('Script: build-assets', () => {
  let root: string;
  let outDir: string;
  let built: BuiltAsset[] | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'build-assets-'));
    outDir = join(root, 'assets');
    // A fresh clone: nothing built yet.
    built = await ensureAssetsBuilt(outDir);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds the two pages and content-hashed files for everything they load', async () => {
    // Act
    const files = (await readdir(outDir)).filter(
      (name) => !/\.(?:gz|br)$/.test(name) && !name.startsWith('.'),
    );

    // Assess
    expect(built?.map((asset) => asset.name).sort()).toEqual([...files].sort());
    expect(files).toEqual(expect.arrayContaining(['graphiql.html', 'docs.html']));
    for (const name of files.filter((file) => !file.endsWith('.html'))) {
      const hash = contentHash(await readFile(join(outDir, name)));
      expect(name, 'the name carries its content hash').toContain(`-${hash}.`);
    }
  });

  it('links from each page only files the build made, by relative URL', async () => {
    for (const page of ['graphiql.html', 'docs.html']) {
      // Act
      const html = await readFile(join(outDir, page), 'utf8');
      const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);

      // Assess
      expect(links.length).toBeGreaterThan(1);
      for (const link of links.filter((url) => !url.startsWith('data:'))) {
        expect(link).toMatch(/^assets\/[^/]+$/);
        await expect(readFile(join(outDir, link.slice('assets/'.length)))).resolves.toBeInstanceOf(Buffer);
      }
    }
  });

  it('writes gzip and brotli variants that decompress to the original bytes', async () => {
    // Prepare
    const compressed = (built ?? []).filter(
      (asset) => asset.gzip !== undefined || asset.brotli !== undefined,
    );

    for (const asset of compressed) {
      // Act
      const original = await readFile(join(outDir, asset.name));
      const gzip = await readFile(join(outDir, `${asset.name}.gz`));
      const brotli = await readFile(join(outDir, `${asset.name}.br`));

      // Assess
      expect(gunzipSync(gzip)).toEqual(original);
      expect(brotliDecompressSync(brotli)).toEqual(original);
      expect(brotli.length).toBeLessThan(original.length);
    }
    expect(compressed.map((asset) => asset.name.replace(/-[0-9a-f]{10}/, '')).sort()).toEqual([
      'graphiql.css',
      'graphiql.js',
      'swagger-ui-bundle.js',
      'swagger-ui.css',
    ]);
  });

  it('skips a build whose inputs have not changed, and rebuilds a stale one', async () => {
    // Act
    const again = await ensureAssetsBuilt(outDir);
    await writeFile(join(outDir, '.inputs-fingerprint'), 'built from other sources');
    const stale = await ensureAssetsBuilt(outDir);

    // Assess
    expect(again).toBeUndefined();
    expect(stale?.map((asset) => asset.name).sort()).toEqual(built?.map((asset) => asset.name).sort());
    expect(await ensureAssetsBuilt(outDir)).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { contentHash } from './content-hash.js';
import type { ContentEncoding } from './encoding.js';

export interface StaticAsset {
  readonly name: string;
  readonly contentType: string;
  /** Text types travel as UTF-8 strings; everything else (and every compressed body) as base64. */
  readonly isText: boolean;
  readonly cacheControl: string;
  /** The bytes per encoding; `identity` is always there. */
  readonly variants: ReadonlyMap<ContentEncoding, Buffer>;
  /** A strong ETag per variant: different bytes, different tag. */
  readonly etags: ReadonlyMap<ContentEncoding, string>;
}

export interface AssetStore {
  /** The asset with this file name, or undefined when the build made no such file. */
  get(name: string): Promise<StaticAsset | undefined>;
}

/** Content-hashed names never change content: browsers and CDNs may keep them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Pages keep their names across builds, so they are revalidated (cheaply, by ETag) every time. */
export const REVALIDATE = 'no-cache';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSED_SUFFIXES: ReadonlyMap<ContentEncoding, string> = new Map([
  ['br', '.br'],
  ['gzip', '.gz'],
]);

/**
 * The prebuilt assets in `dir` (see scripts/build-assets.ts), read from disk once per process
 * on first use and kept in memory. Only names listed in `dir` are ever read: a request cannot
 * reach a file outside it, whatever it puts in the name.
 */
export function createAssetStore(dir: string): AssetStore {
  let names: Promise<ReadonlySet<string>> | undefined;
  const assets = new Map<string, Promise<StaticAsset>>();

  const listNames = () => {
    names ??= listServable(dir).catch((error: unknown) => {
      names = undefined; // a build that appears later is picked up by the next request
      throw error;
    });
    return names;
  };

  return {
    async get(name) {
      if (!(await listNames()).has(name)) return undefined;
      let asset = assets.get(name);
      if (!asset) {
        asset = loadAsset(dir, name);
        assets.set(name, asset);
        asset.catch(() => assets.delete(name));
      }
      return asset;
    },
  };
}

async function listServable(dir: string): Promise<ReadonlySet<string>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`static assets not found in ${dir} (run \`npm run build:assets\`)`, { cause: error });
  }
  return new Set(
    entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .filter((name) => ![...COMPRESSED_SUFFIXES.values()].some((suffix) => name.endsWith(suffix))),
  );
}

async function loadAsset(dir: string, name: string): Promise<StaticAsset> {
  const identity = await readFile(join(dir, name));
  const variants = new Map<ContentEncoding, Buffer>([['identity', identity]]);
  for (const [encoding, suffix] of COMPRESSED_SUFFIXES) {
    const compressed = await readFile(join(dir, `${name}${suffix}`)).catch(ignoreMissing);
    if (compressed) variants.set(encoding, compressed);
  }
  const etags = new Map<ContentEncoding, string>();
  for (const [encoding, bytes] of variants) {
    const digest = createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
    etags.set(encoding, `"${digest}${encoding === 'identity' ? '' : `-${encoding}`}"`);
  }
  const contentType = CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
  return {
    name,
    contentType,
    isText: /^text\/|^application\/json|^image\/svg/.test(contentType),
    cacheControl: name.includes(`-${contentHash(identity)}.`) ? IMMUTABLE : REVALIDATE,
    variants,
    etags,
  };
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}

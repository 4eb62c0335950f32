import { MethodNotAllowedError, RouteNotFoundError } from '../http/errors.js';
import { canonicalPath } from '../http/paths.js';
import type { HttpRequest, RequestOutcome } from '../http/request.js';
import type { Transport } from '../http/transport.js';
import type { Logger } from '../logger.js';
import { restErrorResult } from '../rest/error-boundary.js';
import { assetResponse } from './asset-response.js';
import type { AssetStore } from './asset-store.js';
import { DOCS_PAGE, pageSecurityHeaders } from './page-security.js';

const DOCS_PATH = '/docs';
// Pages link `assets/<name>` relative to themselves; from `/docs/` or `/graphql/` (a trailing
// slash is allowed on every route) that resolves one level deeper, so those prefixes are
// accepted too.
const ASSET_PATH = /^(?:\/(?:docs|graphql))?\/assets\/([^/]+)$/;
const ALLOWED_METHODS = 'GET, HEAD';

/** Whether `GET /docs` or `GET /assets/<name>` (in any spelling) is asked for. */
export function isStaticPath(path: string): boolean {
  const canonical = canonicalPath(path);
  return canonical === DOCS_PATH || ASSET_PATH.test(canonical);
}

/** The docs page and the prebuilt assets; errors answer in REST's shape. */
export function createStaticTransport(deps: { assets: AssetStore; logger: Logger }): Transport {
  return {
    serve: (request, outcome) => serveStatic(deps.assets, request, outcome),
    fail: (error, request) => restErrorResult(error, request.requestId, deps.logger),
  };
}

async function serveStatic(assets: AssetStore, request: HttpRequest, outcome: RequestOutcome) {
  const canonical = canonicalPath(request.path);
  const isDocs = canonical === DOCS_PATH;
  outcome.route = isDocs ? DOCS_PATH : '/assets/{name}';
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new MethodNotAllowedError(
      `Method ${request.method} not allowed on ${outcome.route}`,
      ALLOWED_METHODS,
    );
  }
  return serveAsset(assets, isDocs ? DOCS_PAGE : (ASSET_PATH.exec(canonical)?.[1] ?? ''), request);
}

/**
 * One asset of the build (a page gets its page's security headers): the docs page here, and
 * the GraphQL IDE page, which `/graphql` serves to browsers. A page missing from the build is
 * `RouteNotFoundError`; a build missing altogether throws (a 500 in either transport).
 */
export async function serveAsset(
  assets: AssetStore,
  name: string,
  request: HttpRequest,
  /** A page's own headers instead of `pageSecurityHeaders` (the IDE's, with its WebSocket origin). */
  pageHeaders?: Readonly<Record<string, string>>,
) {
  const asset = await assets.get(name);
  if (!asset) throw new RouteNotFoundError('No such asset');
  return assetResponse(
    asset,
    {
      method: request.method,
      acceptEncoding: request.header('accept-encoding'),
      ifNoneMatch: request.header('if-none-match'),
    },
    asset.contentType.startsWith('text/html') ? (pageHeaders ?? pageSecurityHeaders(asset.name)) : {},
  );
}

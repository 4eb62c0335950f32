import { header, type ApiEvent, type ApiResult } from '../http/api-gateway.js';
import { scopeOf } from '../http/request-scope.js';
import { errorResponse } from '../http/responses.js';
import { assetResponse } from './asset-response.js';
import type { AssetStore } from './asset-store.js';
import { DOCS_PAGE, pageSecurityHeaders } from './page-security.js';

export type StaticRoutes = (event: ApiEvent) => Promise<ApiResult | undefined>;

const DOCS_PATH = /^\/docs\/?$/;
// Pages link `assets/<name>` relative to themselves; from `/docs/` or `/graphql/` (a trailing
// slash is allowed on every route) that resolves one level deeper, so those prefixes are
// accepted too.
const ASSET_PATH = /^(?:\/(?:docs|graphql))?\/assets\/([^/]+)$/;
const ALLOWED_METHODS = 'GET, HEAD';

/** `GET /docs` and `GET /assets/<name>`; undefined for every other path. */
export function createStaticRoutes(assets: AssetStore): StaticRoutes {
  return async (event) => {
    const scope = scopeOf(event);
    const assetName = ASSET_PATH.exec(scope.path)?.[1];
    const isDocs = DOCS_PATH.test(scope.path);
    if (assetName === undefined && !isDocs) return undefined;

    scope.route = isDocs ? '/docs' : '/assets/{name}';
    if (scope.method !== 'GET' && scope.method !== 'HEAD') {
      return errorResponse(405, `Method ${scope.method} not allowed on ${scope.route}`, scope.requestId, {
        allow: ALLOWED_METHODS,
      });
    }
    const asset = await assets.get(isDocs ? DOCS_PAGE : (assetName as string));
    if (!asset) return errorResponse(404, 'No such asset', scope.requestId);
    return assetResponse(
      asset,
      {
        method: scope.method,
        acceptEncoding: header(event, 'accept-encoding'),
        ifNoneMatch: header(event, 'if-none-match'),
      },
      asset.contentType.startsWith('text/html') ? pageSecurityHeaders(asset.name) : {},
    );
  };
}

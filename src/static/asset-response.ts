import type { ApiResult } from '../http/api-gateway.js';
import type { StaticAsset } from './asset-store.js';
import { chooseEncoding, type ContentEncoding } from './encoding.js';

export interface AssetRequest {
  readonly method: string;
  readonly acceptEncoding: string | undefined;
  readonly ifNoneMatch: string | undefined;
}

/**
 * The response for one asset: the best encoding the client accepts, 304 when its cached copy
 * is current. API Gateway passes binary bodies only base64-encoded with `isBase64Encoded`
 * (and the REST API must list the media type, or `*\/*`, in its binaryMediaTypes).
 */
export function assetResponse(
  asset: StaticAsset,
  request: AssetRequest,
  extraHeaders: Readonly<Record<string, string>> = {},
): ApiResult {
  const encoding = chooseEncoding(request.acceptEncoding, new Set(asset.variants.keys()));
  const etag = asset.etags.get(encoding) as string;
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'cache-control': asset.cacheControl,
    etag,
    'x-content-type-options': 'nosniff',
    ...(asset.variants.size > 1 ? { vary: 'Accept-Encoding' } : {}),
    ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
    ...extraHeaders,
  };
  if (matchesEtag(request.ifNoneMatch, etag)) return { statusCode: 304, headers, body: '' };
  if (request.method === 'HEAD') return { statusCode: 200, headers, body: '' };
  return { statusCode: 200, headers, ...encodeBody(asset, encoding) };
}

function encodeBody(
  asset: StaticAsset,
  encoding: ContentEncoding,
): Pick<ApiResult, 'body' | 'isBase64Encoded'> {
  const bytes = asset.variants.get(encoding) as Buffer;
  if (encoding === 'identity' && asset.isText)
    return { body: bytes.toString('utf8'), isBase64Encoded: false };
  return { body: bytes.toString('base64'), isBase64Encoded: true };
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`. */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

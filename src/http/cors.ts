import type { ApiResult } from './api-gateway.js';

export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'Idempotency-Key',
  'X-Request-ID',
  'Apollo-Require-Preflight',
];
export const CORS_EXPOSED_HEADERS = ['ETag', 'Link', 'Location', 'Retry-After', 'X-Request-ID'];
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export type AllowedOrigins = readonly string[] | '*';

/**
 * CORS headers for a response to `origin`. Tokens travel in the Authorization header, never
 * in cookies, so credentials are never allowed, which also makes `*` safe when configured.
 */
export function corsHeaders(allowed: AllowedOrigins, origin: string | undefined): Record<string, string> {
  // With a list, the answer depends on the Origin header, so caches must key on it even when absent.
  if (!origin) return allowed !== '*' && allowed.length > 0 ? { vary: 'Origin' } : {};
  if (allowed === '*')
    return {
      'access-control-allow-origin': '*',
      'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
    };
  if (!allowed.includes(origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
    vary: 'Origin',
  };
}

/** The answer to a preflight `OPTIONS` on any route: 204 with what may be sent. */
export function preflightResponse(allowed: AllowedOrigins, origin: string | undefined): ApiResult {
  const headers = corsHeaders(allowed, origin);
  if (headers['access-control-allow-origin']) {
    headers['access-control-allow-methods'] = CORS_ALLOWED_METHODS.join(', ');
    headers['access-control-allow-headers'] = CORS_ALLOWED_HEADERS.join(', ');
    headers['access-control-max-age'] = '600';
  }
  return { statusCode: 204, headers, body: '' };
}

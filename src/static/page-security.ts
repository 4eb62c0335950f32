/** The HTML pages of the build (scripts/build-assets.ts). */
export const IDE_PAGE = 'graphiql.html';
export const DOCS_PAGE = 'docs.html';

/**
 * Code, styles, fonts and API calls from this service only, nothing inline, no framing: the
 * pages run only the scripts of this build, and connect only to this API (and, for the IDE, to
 * its WebSocket API for subscriptions when that is elsewhere: API Gateway's own host).
 */
function pageHeaders(
  styleSources: string,
  connectSources: readonly string[] = [],
): Readonly<Record<string, string>> {
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styleSources}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

const STRICT_PAGE_HEADERS = pageHeaders("'self'");
// GraphiQL's components insert a <style> element at run time, which 'self' alone blocks.
// Scripts, the real risk, stay held to 'self'.
const IDE_PAGE_HEADERS = pageHeaders("'self' 'unsafe-inline'");

/** The security headers of a page of the build, by its file name. */
export function pageSecurityHeaders(name: string): Readonly<Record<string, string>> {
  return name === IDE_PAGE ? IDE_PAGE_HEADERS : STRICT_PAGE_HEADERS;
}

/**
 * The IDE page's headers when subscriptions connect to another origin (WEBSOCKET_URL, on AWS):
 * that one origin joins `connect-src`. Locally the socket is the page's own host (`'self'`).
 */
export function idePageHeaders(websocketUrl: string | undefined): Readonly<Record<string, string>> {
  if (!websocketUrl) return IDE_PAGE_HEADERS;
  return pageHeaders("'self' 'unsafe-inline'", [new URL(websocketUrl).origin]);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiEvent, ApiResult } from '../http/api-gateway.js';
import { MAX_REQUEST_BODY_BYTES } from '../http/body.js';

export const LOCAL_STAGE = 'local';

/**
 * The proxy event API Gateway would send for this request (REST API, payload v1, `ANY
 * /{proxy+}`), so the local server runs exactly the code Lambda runs.
 */
export function toProxyEvent(req: IncomingMessage, body: Buffer, requestId: string): ApiEvent {
  const url = requestTarget(req.url ?? '/');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    (multiValueHeaders[name] ??= []).push(value);
    // API Gateway keeps the last value of a repeated header in `headers`.
    headers[name] = value;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    (multiQuery[key] ??= []).push(value);
    query[key] = value;
  }
  const hasQuery = url.searchParams.size > 0;
  const path = safeDecodePath(url.pathname);
  const text = isUtf8Text(body);
  const method = (req.method ?? 'GET').toUpperCase();
  const resource = path === '/' ? '/' : '/{proxy+}';
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: path === '/' ? null : { proxy: path.slice(1) },
    stageVariables: null,
    body: body.length === 0 ? null : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !text,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      identity: localIdentity(
        req.socket.remoteAddress ?? '127.0.0.1',
        headers['user-agent'] ?? headers['User-Agent'],
      ),
      path: `/${LOCAL_STAGE}${path}`,
      stage: LOCAL_STAGE,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
    },
  };
}

export function sendProxyResult(res: ServerResponse, result: ApiResult): void {
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    res.setHeader(name, values.map(String));
  const noBody = result.statusCode === 204 || result.statusCode === 304;
  if (!noBody) res.setHeader('content-length', body.length);
  res.writeHead(result.statusCode);
  res.end(noBody ? undefined : body);
}

/**
 * The body as the handler needs it: whole up to the service's limit, and cut one byte past it
 * otherwise, so that the app refuses it (413, in the shape of the route asked for) and a huge
 * body is never held in memory. The rest is read and dropped.
 */
export async function readBody(req: IncomingMessage, keep = MAX_REQUEST_BODY_BYTES + 1): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size < keep) chunks.push(chunk.subarray(0, keep - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks);
}

/**
 * The path and query of a request target, whatever it holds: API Gateway routes any path it
 * receives (`//x`, `/%ff`, `/[`), and so must this adapter, never throw on it. Only the
 * absolute form (`http://host/path`, sent to proxies) carries a scheme and host to drop.
 */
function requestTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  const rest = absolute ? target.slice(absolute[0].length) : target;
  const query = rest.indexOf('?');
  const pathname = (query < 0 ? rest : rest.slice(0, query)).split('#')[0] || '/';
  const search = query < 0 ? '' : rest.slice(query + 1).split('#')[0];
  return {
    pathname: pathname.startsWith('/') ? pathname : `/${pathname}`,
    searchParams: new URLSearchParams(search),
  };
}

function safeDecodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function isUtf8Text(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function localIdentity(
  sourceIp: string,
  userAgent: string | undefined,
): ApiEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent: userAgent ?? null,
    userArn: null,
  };
}

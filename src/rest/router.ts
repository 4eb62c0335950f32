import type { ApiEvent, ApiResult } from '../http/api-gateway.js';
import type { RequestScope } from '../http/request-scope.js';
import { errorResponse, jsonResponse } from '../http/responses.js';
import type { RequestContext } from '../request-context.js';
import { errorResult } from './errors.js';
import { login, me, register, welcome } from './handlers/accounts.js';
import { createItem, deleteItem, getItem, listItems, updateItem } from './handlers/items.js';
import { health } from './health.js';
import { buildOpenApiDocument, type DocumentedRoute, type OperationDoc } from './openapi.js';
import { operations } from './operations.js';
import type { RestHandler } from './rest-request.js';

interface Route extends DocumentedRoute {
  readonly handle: RestHandler;
}

const route = (method: string, path: string, handle: RestHandler, doc: OperationDoc): Route => ({
  method,
  path,
  handle,
  doc,
  operationId: doc.operationId,
  deprecated: false,
});

/** An alias of the old FastAPI backend: same handler and checks, documented as deprecated. */
const legacy = (method: string, path: string, handle: RestHandler, doc: OperationDoc): Route => ({
  ...route(method, path, handle, doc),
  operationId: `legacy${pascal(method)}${path
    .split(/[/{}]+/)
    .filter(Boolean)
    .map(pascal)
    .join('')}`,
  deprecated: true,
});

/**
 * Every REST route. Each also answers with an `/api` prefix, with or without a trailing slash,
 * and under any stage or base path (see `canonicalPath` and `routePath`).
 */
const routes: readonly Route[] = [
  route('GET', '/health', health, operations.health),
  route('GET', '/openapi.json', openApiJson, operations.openApi),
  route('POST', '/user/register', register, operations.register),
  route('POST', '/user/login', login, operations.login),
  route('GET', '/user/me', me, operations.me),
  route('GET', '/item/', listItems, operations.listItems),
  route('POST', '/item/', createItem(201), operations.createItem),
  route('GET', '/item/{id}', getItem, operations.getItem),
  route('PUT', '/item/{id}', updateItem, operations.updateItem),
  route('PATCH', '/item/{id}', updateItem, { ...operations.updateItem, operationId: 'patchItem' }),
  route('DELETE', '/item/{id}', deleteItem, operations.deleteItem),

  legacy('POST', '/user/register/', register, operations.register),
  legacy('POST', '/user/login/', login, operations.login),
  legacy('GET', '/user/profile/', welcome, operations.welcome),
  legacy('POST', '/item/create/', createItem(200), operations.createItemLegacy),
  legacy('GET', '/item/read/', listItems, operations.listItems),
  legacy('PUT', '/item/update/{id}', updateItem, operations.updateItem),
  legacy('DELETE', '/item/delete/{id}', deleteItem, operations.deleteItem),
];

let openApiBody: string | undefined;

/** Generated from the route table and the schemas on first request, then reused by the process. */
export function openApiDocument(): string {
  openApiBody ??= JSON.stringify(buildOpenApiDocument(routes));
  return openApiBody;
}

function openApiJson(): ApiResult {
  return { ...jsonResponse(200, null), body: openApiDocument() };
}

/** Legacy clients call every route with an `/api` prefix and with or without a trailing slash. */
export function canonicalPath(path: string): string {
  const withoutPrefix = path.replace(/^\/api(?=\/|$)/, '');
  const trimmed = withoutPrefix.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

interface CompiledRoute {
  readonly route: Route;
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
}

const compiled: readonly CompiledRoute[] = routes
  .map((r) => {
    const paramNames: string[] = [];
    const source = canonicalPath(r.path)
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        paramNames.push(param[1] as string);
        return '([^/]+)';
      })
      .join('/');
    return { route: r, regex: new RegExp(`^${source}$`), paramNames };
  })
  // Literal paths win over parameters: `/item/read` is the legacy list, not an item called "read".
  .sort((a, b) => a.paramNames.length - b.paramNames.length);

export interface RestMatch {
  /** The documented path, for the access log (`/item/{id}`). */
  readonly pattern: string;
  handle(event: ApiEvent, context: RequestContext): Promise<ApiResult>;
}

/**
 * The REST route for this request; a 405 with `Allow` when the path is known but the method is
 * not; undefined when the path is not a REST path.
 */
export function matchRestRoute(scope: RequestScope): RestMatch | undefined {
  const path = canonicalPath(scope.path);
  const onPath = compiled
    .map((c) => ({ c, values: c.regex.exec(path) }))
    .filter((m): m is { c: CompiledRoute; values: RegExpExecArray } => m.values !== null);
  if (onPath.length === 0) return undefined;

  // HEAD is GET without the body (RFC 9110), as FastAPI answers it.
  const isHead = scope.method === 'HEAD';
  const method = isHead ? 'GET' : scope.method;
  const hit = onPath.find((m) => m.c.route.method === method);
  if (!hit) {
    const methods = onPath.map((m) => m.c.route.method);
    const allow = [...new Set([...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].join(
      ', ',
    );
    return {
      pattern: onPath[0]?.c.route.path ?? path,
      handle: async (_event, context) =>
        errorResponse(
          405,
          `Method ${scope.method} not allowed; this path allows ${allow}`,
          context.requestId,
          {
            allow,
          },
        ),
    };
  }
  const { route: matched, paramNames } = hit.c;
  const params = Object.fromEntries(paramNames.map((name, i) => [name, hit.values[i + 1] as string]));
  return {
    pattern: matched.path,
    handle: async (event, context) => {
      let result: ApiResult;
      try {
        result = await matched.handle({ event, context, params });
      } catch (error) {
        result = errorResult(error, context);
      }
      return isHead ? { ...result, body: '' } : result;
    },
  };
}

function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

import type { ApiResult } from '../http/api-gateway.js';
import { jsonResponse } from '../http/responses.js';
import type { InputSources } from './error-boundary.js';
import {
  changePassword,
  deleteAccount,
  login,
  logout,
  logoutAll,
  me,
  refresh,
  register,
  welcome,
} from './handlers/accounts.js';
import { createItem, deleteItem, getItem, listItems, updateItem } from './handlers/items.js';
import { health } from './health.js';
import { buildOpenApiDocument, type DocumentedRoute, type OperationDoc } from './openapi.js';
import { operationDocs } from './operation-docs.js';
import { ACCOUNT_FIELDS } from './request-input.js';
import type { RestHandler } from './rest-call.js';

export interface RestRoute extends DocumentedRoute {
  readonly handle: RestHandler;
  /** Where the handler reads what the domain validates: the 422's `loc`. */
  readonly inputs: InputSources;
}

const BODY: InputSources = { from: 'body' };
/** The account routes' fields, as REST spells them. */
const ACCOUNT_BODY: InputSources = {
  from: 'body',
  fields: Object.fromEntries(
    Object.entries(ACCOUNT_FIELDS).map(([domain, rest]) => [domain, ['body', rest]]),
  ),
};
const QUERY: InputSources = { from: 'query' };
const ITEM_WRITE: InputSources = {
  from: 'body',
  fields: { expectedVersion: ['header', 'if-match'], idempotencyKey: ['header', 'idempotency-key'] },
};

const route = (
  method: string,
  path: string,
  handle: RestHandler,
  doc: OperationDoc,
  inputs: InputSources = BODY,
): RestRoute => ({ method, path, handle, doc, inputs, operationId: doc.operationId, deprecated: false });

/** An alias of the old FastAPI backend: same handler and checks, documented as deprecated. */
const legacy = (...args: Parameters<typeof route>): RestRoute => {
  const canonical = route(...args);
  const words = canonical.path.split(/[/{}]+/).filter(Boolean);
  return {
    ...canonical,
    operationId: `legacy${[canonical.method, ...words].map(pascal).join('')}`,
    deprecated: true,
  };
};

/**
 * Every REST route. Each also answers with an `/api` prefix, with or without a trailing slash,
 * and under any stage or base path (see `canonicalPath` and `routePath`).
 */
export const restRoutes: readonly RestRoute[] = [
  route('GET', '/health', health, operationDocs.health),
  route('GET', '/openapi.json', openApiJson, operationDocs.openApi),
  route('POST', '/user/register', register, operationDocs.register),
  route('POST', '/user/login', login, operationDocs.login, ACCOUNT_BODY),
  route('POST', '/user/token/refresh', refresh, operationDocs.refresh, ACCOUNT_BODY),
  route('POST', '/user/logout', logout, operationDocs.logout, ACCOUNT_BODY),
  route('POST', '/user/logout-all', logoutAll, operationDocs.logoutAll),
  route('POST', '/user/password', changePassword, operationDocs.changePassword, ACCOUNT_BODY),
  route('GET', '/user/me', me, operationDocs.me),
  route('DELETE', '/user/me', deleteAccount, operationDocs.deleteAccount),
  route('GET', '/item/', listItems, operationDocs.listItems, QUERY),
  route('POST', '/item/', createItem(201), operationDocs.createItem, ITEM_WRITE),
  route('GET', '/item/{id}', getItem, operationDocs.getItem),
  route('PUT', '/item/{id}', updateItem, operationDocs.updateItem, ITEM_WRITE),
  route(
    'PATCH',
    '/item/{id}',
    updateItem,
    { ...operationDocs.updateItem, operationId: 'patchItem' },
    ITEM_WRITE,
  ),
  route('DELETE', '/item/{id}', deleteItem, operationDocs.deleteItem, ITEM_WRITE),

  legacy('POST', '/user/register/', register, operationDocs.register),
  legacy('POST', '/user/login/', login, operationDocs.login, ACCOUNT_BODY),
  legacy('GET', '/user/profile/', welcome, operationDocs.welcome),
  legacy('POST', '/item/create/', createItem(200), operationDocs.createItemLegacy, ITEM_WRITE),
  legacy('GET', '/item/read/', listItems, operationDocs.listItems, QUERY),
  legacy('PUT', '/item/update/{id}', updateItem, operationDocs.updateItem, ITEM_WRITE),
  legacy('DELETE', '/item/delete/{id}', deleteItem, operationDocs.deleteItem, ITEM_WRITE),
];

let openApiBody: string | undefined;

/** Generated from the route table and the schemas on first request, then reused by the process. */
function openApiDocument(): string {
  openApiBody ??= JSON.stringify(buildOpenApiDocument(restRoutes));
  return openApiBody;
}

function openApiJson(): ApiResult {
  return { ...jsonResponse(200, null), body: openApiDocument() };
}

function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

import type { Item } from '../../domain/entities.js';
import { PreconditionFailedError } from '../../domain/errors.js';
import { header } from '../../http/api-gateway.js';
import { parseBody } from '../../http/body.js';
import { jsonResponse } from '../../http/responses.js';
import type { RestHandler, RestRequest } from '../rest-request.js';
import { ItemCreateRequest, ItemListQuery, ItemPathParams, ItemUpdateRequest } from '../schemas.js';
import { bodyValue, parseInput, RequestValidationError } from '../validation.js';

export async function listItems({ event, context }: RestRequest) {
  const caller = context.caller();
  const query = parseInput(ItemListQuery, event.queryStringParameters ?? {}, 'query');
  const page = await context.services.items.list(caller, query);
  const headers: Record<string, string> = {};
  if (page.nextCursor !== null) {
    // A query-only reference resolves against whatever URL (stage, base path, alias) the client used.
    const next = new URLSearchParams({ limit: String(query.limit), cursor: page.nextCursor });
    headers.link = `<?${next.toString()}>; rel="next"`;
  }
  return jsonResponse(200, page.items.map(itemBody), headers);
}

/** Canonical create answers 201 with a Location; the legacy alias answers 200, as it always did. */
export function createItem(status: 200 | 201): RestHandler {
  return async ({ event, context }) => {
    const caller = context.caller();
    const input = parseInput(ItemCreateRequest, bodyValue(parseBody(event, ['json'])), 'body');
    const item = await context.services.items.create(caller, input);
    const headers: Record<string, string> =
      status === 201 ? { location: locationOf(context.scope.path, item.id) } : {};
    return jsonResponse(status, itemBody(item), { ...etag(item), ...headers });
  };
}

export async function getItem({ context, params }: RestRequest) {
  const caller = context.caller();
  const { id } = parseInput(ItemPathParams, params, 'path');
  const item = await context.services.items.get(caller, id);
  return jsonResponse(200, itemBody(item), etag(item));
}

/** PUT and PATCH alike: name and/or description, optionally conditional on `If-Match`. */
export async function updateItem({ event, context, params }: RestRequest) {
  const caller = context.caller();
  const { id } = parseInput(ItemPathParams, params, 'path');
  const expectedVersion = ifMatchVersion(header(event, 'if-match'));
  const patch = parseInput(ItemUpdateRequest, bodyValue(parseBody(event, ['json'])), 'body');
  const item = await context.services.items.update(caller, id, patch, expectedVersion);
  return jsonResponse(200, itemBody(item), etag(item));
}

export async function deleteItem({ event, context, params }: RestRequest) {
  const caller = context.caller();
  const { id } = parseInput(ItemPathParams, params, 'path');
  await context.services.items.delete(caller, id, ifMatchVersion(header(event, 'if-match')));
  return { statusCode: 204, headers: {}, body: '' };
}

export function itemBody(item: Item) {
  return {
    id: item.id,
    owner_id: item.ownerId,
    name: item.name,
    description: item.description,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    version: item.version,
  };
}

const etag = (item: Item) => ({ etag: `"${item.version}"` });

const IF_MATCH_UNMATCHED = 'If-Match matches no current version of the item';

/**
 * `"3"` → 3; `*` (any current version) and no header → unconditional. A weak tag (`W/"3"`) or
 * a version never issued (`"0"`) can match no current item (RFC 9110 compares If-Match
 * strongly): 412 without a write. Anything that is not an entity tag is the client's bad input.
 */
function ifMatchVersion(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '*') return undefined;
  const tag = /^\s*(W\/)?"([^"]*)"\s*$/.exec(value);
  if (!tag) {
    throw new RequestValidationError([
      {
        loc: ['header', 'if-match'],
        msg: 'If-Match should be one ETag from an item response, like "3" (quotes included)',
        type: 'value_error',
      },
    ]);
  }
  const version = /^\d{1,15}$/.test(tag[2] ?? '') ? Number(tag[2]) : 0;
  if (tag[1] || version < 1) throw new PreconditionFailedError(IF_MATCH_UNMATCHED);
  return version;
}

/** Relative to the request URL, so it holds under any stage, base path or `/api` prefix. */
function locationOf(requestPath: string, id: string): string {
  const lastSegment = requestPath.endsWith('/')
    ? ''
    : `${requestPath.slice(requestPath.lastIndexOf('/') + 1)}/`;
  return `${lastSegment}${encodeURIComponent(id)}`;
}

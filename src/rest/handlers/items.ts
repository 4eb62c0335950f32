import type { Item } from '../../domain/entities.js';
import type { ApiResult } from '../../http/api-gateway.js';
import { jsonResponse } from '../../http/responses.js';
import { bodyOf, ifMatchVersion } from '../request-input.js';
import type { RestCall, RestHandler } from '../rest-call.js';

export async function listItems({ request, context }: RestCall) {
  const query = request.event.queryStringParameters ?? {};
  const page = await context.services.items.list(context.caller(), query);
  const headers: Record<string, string> = {};
  if (page.nextCursor !== null) {
    // A query-only reference resolves against whatever URL (stage, base path, alias) the client used.
    const next = new URLSearchParams({
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      cursor: page.nextCursor,
    });
    headers.link = `<?${next.toString()}>; rel="next"`;
  }
  return jsonResponse(200, page.items.map(itemBody), headers);
}

/** Canonical create answers 201 with a Location; the legacy alias answers 200, as it always did. */
export function createItem(status: 200 | 201): RestHandler {
  return async ({ request, context }) => {
    const item = await context.services.items.create(
      context.caller(),
      bodyOf(request),
      request.header('idempotency-key'),
    );
    const location: Record<string, string> =
      status === 201 ? { location: locationOf(request.path, item.id) } : {};
    return jsonResponse(status, itemBody(item), { ...etag(item), ...location });
  };
}

export async function getItem({ context, params }: RestCall) {
  const item = await context.services.items.get(context.caller(), params.id as string);
  return jsonResponse(200, itemBody(item), etag(item));
}

/** PUT and PATCH alike: name and/or description, optionally conditional on `If-Match`. */
export async function updateItem({ request, context, params }: RestCall) {
  const caller = context.caller();
  const expectedVersion = ifMatchVersion(request);
  const item = await context.services.items.update(
    caller,
    params.id as string,
    bodyOf(request),
    expectedVersion,
  );
  return jsonResponse(200, itemBody(item), etag(item));
}

export async function deleteItem({ request, context, params }: RestCall): Promise<ApiResult> {
  const caller = context.caller();
  await context.services.items.delete(caller, params.id as string, ifMatchVersion(request));
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

/** Relative to the request URL, so it holds under any stage, base path or `/api` prefix. */
function locationOf(requestPath: string, id: string): string {
  const lastSegment = requestPath.endsWith('/')
    ? ''
    : `${requestPath.slice(requestPath.lastIndexOf('/') + 1)}/`;
  return `${lastSegment}${encodeURIComponent(id)}`;
}

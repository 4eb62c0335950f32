import { jsonResponse } from '../http/responses.js';
import type { ApiResult } from '../http/api-gateway.js';

/** Liveness only: it answers without a database call, so a throttled table cannot fail it. */
export function health(): ApiResult {
  return jsonResponse(200, { status: 'ok' });
}

import type { ApiEvent, ApiResult } from '../http/api-gateway.js';
import type { RequestContext } from '../request-context.js';

/** What a REST handler gets: the raw event, the request context, and the path's parameters. */
export interface RestRequest {
  readonly event: ApiEvent;
  readonly context: RequestContext;
  readonly params: Readonly<Record<string, string>>;
}

export type RestHandler = (request: RestRequest) => Promise<ApiResult> | ApiResult;

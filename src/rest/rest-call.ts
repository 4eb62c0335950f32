import type { ApiResult } from '../http/api-gateway.js';
import type { HttpRequest } from '../http/request.js';
import type { RequestContext } from '../request-context.js';

/** What a REST handler gets: the request, its context, and the path's (already checked) parameters. */
export interface RestCall {
  readonly request: HttpRequest;
  readonly context: RequestContext;
  readonly params: Readonly<Record<string, string>>;
}

export type RestHandler = (call: RestCall) => Promise<ApiResult> | ApiResult;

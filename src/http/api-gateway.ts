import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/** API Gateway REST API proxy integration, payload v1: the only event shape this service serves. */
export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Header lookup that ignores case: API Gateway passes header names as the client sent them. */
export function header(event: Pick<ApiEvent, 'headers'>, name: string): string | undefined {
  const headers = event.headers ?? {};
  const exact = headers[name];
  if (exact !== undefined) return exact;
  const wanted = name.toLowerCase();
  // Asked several times per request: a plain loop, no array of entries per call.
  for (const key in headers) {
    if (key.length === wanted.length && key.toLowerCase() === wanted && headers[key] !== undefined) {
      return headers[key];
    }
  }
  return undefined;
}

/**
 * The path to route on, relative to the API. On the execute-api URL API Gateway has already
 * removed the stage, but behind a custom domain the base path is still in `event.path`; the
 * proxy resource's own parameter is relative to the API in both cases.
 */
export function routePath(event: ApiEvent): string {
  if (event.resource === '/{proxy+}' && event.pathParameters?.proxy !== undefined) {
    return `/${event.pathParameters.proxy}`;
  }
  if (event.resource === '/') return '/';
  return event.path || '/';
}

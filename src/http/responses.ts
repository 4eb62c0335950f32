import type { ApiResult } from './api-gateway.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': JSON_CONTENT_TYPE, ...headers },
    body: JSON.stringify(body),
  };
}

/** The error body every REST error uses: FastAPI's `detail` plus the request id to quote. */
export function errorResponse(
  statusCode: number,
  detail: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): ApiResult {
  return jsonResponse(statusCode, { detail, request_id: requestId }, headers);
}

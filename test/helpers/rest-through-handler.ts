import type { ApiHandler } from '../../src/http/api-gateway.js';
import { apiGatewayEvent, lambdaContext } from './api-gateway-events.js';

export interface HandlerResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  readonly body: unknown;
}

export interface HandlerRequestOptions {
  /** Sent as JSON with `content-type: application/json`. */
  readonly json?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

export type HandlerRequest = (
  method: string,
  path: string,
  options?: HandlerRequestOptions,
) => Promise<HandlerResponse>;

/**
 * REST requests as API Gateway proxy events straight into the Lambda handler: for tests that
 * need the handler's own DynamoDB client (to count calls or inject faults) or its log lines.
 */
export function restThroughHandler(handler: ApiHandler): HandlerRequest {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    const event = apiGatewayEvent({ method, path, headers, body: options.json, query: options.query });
    const result = await handler(event, lambdaContext());
    const text = result.body ?? '';
    return {
      status: result.statusCode,
      headers: Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
      ),
      text,
      body: parseJson(text),
    };
  };
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

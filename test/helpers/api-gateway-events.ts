import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import type { ApiEvent } from '../../src/http/api-gateway.js';

/** A real-shaped API Gateway REST (payload v1) event, captured from the execute-api URL. */
export function loadEventFixture(name: string): ApiEvent {
  return JSON.parse(readFileSync(new URL(`../events/${name}.json`, import.meta.url), 'utf8')) as ApiEvent;
}

export interface EventOptions {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  /** Behind a custom domain the base path stays in `event.path` (e.g. `/v1`). */
  readonly basePath?: string;
  readonly stage?: string;
}

/** An API Gateway proxy event for `ANY /{proxy+}` built from the captured fixture. */
export function apiGatewayEvent(options: EventOptions): ApiEvent {
  const base = loadEventFixture('api-gateway-health');
  const stage = options.stage ?? 'dev';
  const headers: Record<string, string> = { Host: base.headers.Host as string, ...options.headers };
  const body =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  if (body !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  const method = options.method ?? 'GET';
  const isRoot = options.path === '/';
  return {
    ...base,
    resource: isRoot ? '/' : '/{proxy+}',
    path: `${options.basePath ?? ''}${options.path}`,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: options.query
      ? Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: isRoot ? null : { proxy: options.path.slice(1) },
    body,
    isBase64Encoded: false,
    requestContext: {
      ...base.requestContext,
      httpMethod: method,
      stage,
      path: `/${stage}${options.path}`,
      resourcePath: isRoot ? '/' : '/{proxy+}',
    },
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'basic-item-crud-dev-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:basic-item-crud-dev-api',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/basic-item-crud-dev-api',
    logStreamName: '2026/11/24/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

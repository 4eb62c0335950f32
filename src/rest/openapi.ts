import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { MAX_REQUEST_BODY_BYTES } from '../http/body.js';
import { ErrorBody, registry, ValidationErrorBody } from './schemas.js';

/** An operation as a route documents it; method, path and deprecation come from the route table. */
export type OperationDoc = Omit<RouteConfig, 'method' | 'path'> & { readonly operationId: string };

export interface DocumentedRoute {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly deprecated: boolean;
  readonly doc: OperationDoc;
}

export const BEARER_SECURITY = [{ bearerAuth: [] }];

registry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: 'An `access_token` from `POST /user/login` or `POST /user/register`.',
});
const requestIdHeader = registry.registerComponent('headers', 'X-Request-ID', {
  description: "The request's id: the caller's own if it sent a sane one. Quote it when reporting a problem.",
  required: true,
  schema: { type: 'string' },
});

/** The response headers this API documents: all are strings. */
export type Headers = Record<
  string,
  { description: string; required: boolean; schema: { type: 'string'; pattern?: string } } | { $ref: string }
>;
const withRequestId = (headers: Headers = {}): Headers => ({
  'X-Request-ID': requestIdHeader.ref,
  ...headers,
});

export const etagHeader: Headers = {
  ETag: {
    description: "The item's version, quoted; send it back in `If-Match` to make a write conditional.",
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
};

/** A JSON response (every JSON response carries X-Request-ID). */
export function json(description: string, schema: z.ZodType, headers?: Headers): ResponseConfig {
  return {
    description,
    headers: withRequestId(headers) as ResponseConfig['headers'],
    content: { 'application/json': { schema } },
  };
}

export function noContent(description: string): ResponseConfig {
  return { description, headers: withRequestId() as ResponseConfig['headers'] };
}

export function jsonBody(
  schema: z.ZodType,
  description?: string,
): NonNullable<RouteConfig['request']>['body'] {
  return { required: true, description, content: { 'application/json': { schema } } };
}

const error = (description: string, headers?: Headers) => json(description, ErrorBody, headers);

/** The error answers, each with the body it carries; routes pick the ones that can happen to them. */
export const errors = {
  400: error('Bad request'),
  401: error('Missing, malformed, expired or forged token, or bad credentials', {
    'WWW-Authenticate': { description: 'Always `Bearer`', required: true, schema: { type: 'string' } },
  }),
  404: error("No such item, or it is not the caller's (existence is not revealed)"),
  412: error('`If-Match` names a version that is no longer current; nothing changed'),
  413: error(`Request body over ${MAX_REQUEST_BODY_BYTES} bytes`),
  422: json(
    "Validation error, in FastAPI's shape (malformed JSON has type `json_invalid`)",
    ValidationErrorBody,
  ),
  429: error('Too many failed password checks for this username; retry after the given seconds', {
    'Retry-After': {
      description: 'Seconds to wait',
      required: true,
      schema: { type: 'string', pattern: '^[0-9]+$' },
    },
  }),
  500: error('Unexpected error (masked; logged with the request id)'),
  503: error('The database is unavailable or throttled; retry after the given seconds', {
    'Retry-After': {
      description: 'Seconds to wait',
      required: true,
      schema: { type: 'string', pattern: '^[0-9]+$' },
    },
  }),
} satisfies Record<number, ResponseConfig>;

export function pickErrors(...statuses: (keyof typeof errors)[]): Record<string, ResponseConfig> {
  return Object.fromEntries(statuses.map((status) => [String(status), errors[status]]));
}

/** OpenAPI 3.1 for every route of the table, legacy aliases marked deprecated. Built once per process. */
export function buildOpenApiDocument(
  routes: readonly DocumentedRoute[],
): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const documented = new OpenAPIRegistry([registry]);
  for (const route of routes) {
    documented.registerPath({
      ...route.doc,
      method: route.method.toLowerCase() as RouteConfig['method'],
      path: route.path,
      operationId: route.operationId,
      deprecated: route.deprecated || undefined,
    });
  }
  const { webhooks, ...document } = new OpenApiGeneratorV31(documented.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Basic Item CRUD App',
      version: '1.0.0',
      description: [
        'REST API of the Basic Item CRUD App (the GraphQL API is at `/graphql`).',
        '',
        'Every path also answers with an `/api` prefix (the legacy backend served there) and with or',
        'without a trailing slash. Errors are `{"detail", "request_id"}`; validation errors use FastAPI\'s',
        `422 shape. Request bodies over ${MAX_REQUEST_BODY_BYTES} bytes get 413.`,
      ].join('\n'),
    },
    // Relative to this document, so "Try it out" keeps any API Gateway stage or base path.
    servers: [
      { url: '.', description: 'This API' },
      { url: './api', description: 'The legacy prefix (same routes)' },
    ],
    security: [],
    tags: [
      { name: 'health' },
      { name: 'users', description: 'Accounts and tokens' },
      { name: 'items', description: "The caller's items" },
      { name: 'legacy', description: 'Aliases of the old FastAPI backend, kept for its clients' },
    ],
  });
  // The generator always adds `webhooks: {}`; this API has none, and some 3.1 tools reject the key.
  return webhooks && Object.keys(webhooks).length > 0 ? { ...document, webhooks } : document;
}

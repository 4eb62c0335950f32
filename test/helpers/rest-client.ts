import addFormats from 'ajv-formats';
import {
  OpenAPIBackend,
  SetMatchType,
  ValidationContext,
  type Document,
  type Operation,
} from 'openapi-backend';

export interface RestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (undefined when there is none). */
  readonly body: unknown;
}

export interface RestRequestOptions {
  /** Sent as JSON with `content-type: application/json`. */
  readonly json?: unknown;
  /** Sent as is (pair it with a content-type header). */
  readonly body?: string;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface RestClient {
  readonly baseUrl: string;
  /** The service's own `/openapi.json`, as fetched once. */
  readonly document: Document;
  request(method: string, path: string, options?: RestRequestOptions): Promise<RestResponse>;
}

/**
 * An HTTP client for the REST API that checks EVERY response against the service's own
 * `/openapi.json` with openapi-backend: the operation is resolved from method and path, the status
 * must be documented for it, and body and headers must satisfy the documented response.
 */
export async function createRestClient(baseUrl: string): Promise<RestClient> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Document;
  const api = new OpenAPIBackend({
    definition: structuredClone(document),
    strict: true,
    // Matched below against both spellings of the path, as the service accepts both.
    ignoreTrailingSlashes: false,
    validate: true,
    // Formats such as `date-time` are checked, not ignored.
    customizeAjv: (ajv) => addFormats.default(ajv),
  });
  await api.init();
  const errorSchema = api.validator
    .getAjv(ValidationContext.Response)
    .compile(api.definition.components?.schemas?.Error ?? {});

  const check = (method: string, url: URL, response: RestResponse): void => {
    // Every documented path also answers under the legacy `/api` prefix and with or without a
    // trailing slash (the document lists one spelling).
    const path = url.pathname.replace(/^\/api(?=\/|$)/, '') || '/';
    const toggled = path.endsWith('/') ? path.replace(/\/+$/, '') : `${path}/`;
    const operation = [path, toggled]
      .map((p) => api.matchOperation({ method, path: p, headers: {}, query: url.search.slice(1) }))
      .filter((op) => op !== undefined)
      // As the service routes: a literal path wins over a parameter (`/item/read` is not an item id).
      .sort((a, b) => a.path.split('{').length - b.path.split('{').length)[0];
    const where = `${method} ${url.pathname}${url.search} → ${response.status}`;
    if (!operation) {
      // A path or method the API does not have: the body must still be the documented error body.
      if (!errorSchema(response.body))
        throw new Error(`${where}: undocumented route answered ${response.text}`);
      return;
    }
    assertDocumented(api, operation, response, where);
  };

  const request = async (method: string, path: string, options: RestRequestOptions = {}) => {
    const url = new URL(path, baseUrl);
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    const response = {
      status: res.status,
      headers: res.headers,
      text,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    check(method, url, response);
    return response;
  };
  return { baseUrl, document, request };
}

function assertDocumented(api: OpenAPIBackend, operation: Operation, response: RestResponse, where: string) {
  const documented = operation.responses?.[String(response.status)];
  if (!documented || '$ref' in documented)
    throw new Error(`${where}: status ${response.status} is not documented for ${operation.operationId}`);

  const mediaTypes = Object.keys(documented.content ?? {});
  const contentType = response.headers.get('content-type')?.split(';')[0] ?? null;
  if (mediaTypes.length === 0) {
    if (response.text !== '') throw new Error(`${where}: documented without a body, got ${response.text}`);
  } else if (!contentType || !mediaTypes.includes(contentType)) {
    throw new Error(`${where}: content-type ${contentType} is not one of ${mediaTypes.join(', ')}`);
  }

  const body = api.validator.validateResponse(response.body ?? null, operation, response.status);
  if (!body.valid)
    throw new Error(`${where}: body ${response.text} breaks the document: ${JSON.stringify(body.errors)}`);

  const headers = Object.fromEntries(response.headers.entries());
  const headerCheck = api.validator.validateResponseHeaders(headers, operation, {
    statusCode: response.status,
    setMatchType: SetMatchType.Any,
  });
  if (!headerCheck.valid)
    throw new Error(
      `${where}: headers ${JSON.stringify(headers)} break the document: ${JSON.stringify(headerCheck.errors)}`,
    );
  // The library checks the values of headers that are present; required ones must be present too.
  for (const [name, spec] of Object.entries(documented.headers ?? {})) {
    if ('required' in spec && spec.required && !response.headers.has(name))
      throw new Error(`${where}: the documented header ${name} is missing`);
  }
}

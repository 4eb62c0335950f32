import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface OperationShape {
  deprecated?: boolean;
  security?: Record<string, string[]>[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
interface DocumentShape {
  openapi: string;
  paths: Record<string, Record<string, OperationShape>>;
  components: { securitySchemes: Record<string, unknown> };
}

let server: TestServer;
let document: DocumentShape;

beforeAll(async () => {
  server = await startTestServer();
  document = (await (await fetch(`${server.url}/openapi.json`)).json()) as DocumentShape;
});

afterAll(async () => {
  await server?.stop();
});

const operation = (method: string, path: string) => document.paths[path]?.[method.toLowerCase()];

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(
      structuredClone(document) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect([result.valid, document.openapi]).toEqual([true, '3.1.0']);
  });

  it.each([
    ['GET', '/health'],
    ['POST', '/user/register'],
    ['POST', '/user/login'],
    ['GET', '/user/me'],
    ['GET', '/item/'],
    ['POST', '/item/'],
    ['GET', '/item/{id}'],
    ['PUT', '/item/{id}'],
    ['PATCH', '/item/{id}'],
    ['DELETE', '/item/{id}'],
  ])('documents the canonical %s %s', (method, path) => {
    expect(operation(method, path)?.deprecated).toBeUndefined();
  });

  it.each([
    ['POST', '/user/register/'],
    ['POST', '/user/login/'],
    ['GET', '/user/profile/'],
    ['POST', '/item/create/'],
    ['GET', '/item/read/'],
    ['PUT', '/item/update/{id}'],
    ['DELETE', '/item/delete/{id}'],
  ])('documents the legacy %s %s as deprecated', (method, path) => {
    expect(operation(method, path)?.deprecated).toBe(true);
  });

  it('declares the bearer scheme and requires it on item and profile routes only', () => {
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(operation('GET', '/item/{id}')?.security).toEqual([{ bearerAuth: [] }]);
    expect(operation('POST', '/user/login')?.security).toBeUndefined();
  });

  it('documents the headers clients rely on', () => {
    expect(Object.keys(operation('POST', '/item/')?.responses['201']?.headers ?? {})).toEqual(
      expect.arrayContaining(['ETag', 'Location', 'X-Request-ID']),
    );
    expect(Object.keys(operation('GET', '/item/')?.responses['200']?.headers ?? {})).toContain('Link');
    expect(Object.keys(operation('GET', '/item/')?.responses['401']?.headers ?? {})).toContain(
      'WWW-Authenticate',
    );
    expect(Object.keys(operation('GET', '/item/')?.responses['503']?.headers ?? {})).toContain('Retry-After');
  });
});

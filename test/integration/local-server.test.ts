import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('Local server: node:http → proxy event → the Lambda handler', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('serves GET /health with 200 {"status":"ok"}', async () => {
    const response = await fetch(`${server.url}/health`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('echoes a sane X-Request-ID', async () => {
    const response = await fetch(`${server.url}/health`, { headers: { 'X-Request-ID': 'abc-123' } });

    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });

  it('answers the GraphQL health query over POST', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ health { status } }' }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('answers the GraphQL health query over GET with a CSRF-safe header', async () => {
    const query = encodeURIComponent('{ health { status } }');

    const response = await fetch(`${server.url}/graphql?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await fetch(`${server.url}/definitely/not/here`);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ detail: 'Not Found' });
  });
});

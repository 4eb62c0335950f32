import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src/http/api-gateway.js';
import { apiGatewayEvent, lambdaContext, loadEventFixture } from '../helpers/api-gateway-events.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

describe('Handler: API Gateway proxy events straight into the Lambda handler', () => {
  let app: TestHandler;
  beforeAll(async () => {
    app = await createTestHandler({ ALLOWED_ORIGINS: 'https://app.example.com' });
  });
  afterAll(() => app.stop());

  it('answers GET /health from a captured execute-api event', async () => {
    const result = await app.handler(loadEventFixture('api-gateway-health'), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' });
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(result.headers?.['x-request-id']).toBe('fixture-request-1');
  });

  it('routes the same under a custom domain base path', async () => {
    const result = await app.handler(apiGatewayEvent({ path: '/health', basePath: '/v1' }), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' });
  });

  it('answers the GraphQL health query', async () => {
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/graphql',
      body: { query: '{ health { status } }' },
    });

    const result = await app.handler(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ data: { health: { status: 'ok' } } });
  });

  describe('with a base64-encoded body, as API Gateway sends it with binary media types on', () => {
    const base64 = (event: ApiEvent): ApiEvent => ({
      ...event,
      body: Buffer.from(event.body ?? '').toString('base64'),
      isBase64Encoded: true,
    });

    it('answers GraphQL', async () => {
      const event = apiGatewayEvent({
        method: 'POST',
        path: '/graphql',
        body: { query: '{ health { status } }' },
      });

      const result = await app.handler(base64(event), lambdaContext());

      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toEqual({ data: { health: { status: 'ok' } } });
    });

    it('answers REST', async () => {
      const event = apiGatewayEvent({
        method: 'POST',
        path: '/user/register',
        body: { username: 'base64-body', password: 'long enough' },
      });

      const result = await app.handler(base64(event), lambdaContext());

      expect(result.statusCode).toBe(201);
      expect(JSON.parse(result.body)).toMatchObject({ token_type: 'bearer' });
    });
  });

  it('answers an unknown path with a JSON 404 that quotes the request id', async () => {
    const result = await app.handler(apiGatewayEvent({ path: '/no/such/thing' }), lambdaContext());

    expect(result.statusCode).toBe(404);
    const requestId = result.headers?.['x-request-id'];
    expect(JSON.parse(result.body)).toEqual({ detail: 'Not Found', request_id: requestId });
  });

  it("uses API Gateway's request id, which its access log records too, when the caller sent none", async () => {
    const event = apiGatewayEvent({ path: '/health' });

    const result = await app.handler(event, lambdaContext());

    expect(result.headers?.['x-request-id']).toBe(event.requestContext.requestId);
  });

  it('replaces a request id that is not safe to echo', async () => {
    const event = apiGatewayEvent({
      path: '/health',
      headers: { 'X-Request-ID': 'bad id\r\nSet-Cookie: x=1' },
    });

    const result = await app.handler(event, lambdaContext());

    expect(result.headers?.['x-request-id']).toBe(event.requestContext.requestId);
  });

  it('makes up a request id when neither the caller nor API Gateway gave a usable one', async () => {
    const event = apiGatewayEvent({ path: '/health' });
    const withoutId = { ...event, requestContext: { ...event.requestContext, requestId: '' } };

    const result = await app.handler(withoutId, lambdaContext());

    expect(result.headers?.['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });

  it('answers a CORS preflight from an allowed origin with 204', async () => {
    const event = apiGatewayEvent({
      method: 'OPTIONS',
      path: '/item/',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT' },
    });

    const result = await app.handler(event, lambdaContext());

    expect(result.statusCode).toBe(204);
    expect(result.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      vary: 'Origin',
    });
    expect(String(result.headers?.['access-control-allow-headers'])).toContain('Authorization');
    expect(String(result.headers?.['access-control-allow-headers'])).toContain('If-Match');
    expect(String(result.headers?.['access-control-allow-headers'])).toContain('Idempotency-Key');
  });

  it('gives no CORS grant to an origin that is not configured', async () => {
    const event = apiGatewayEvent({ path: '/health', headers: { Origin: 'https://evil.example.com' } });

    const result = await app.handler(event, lambdaContext());

    expect(result.headers?.['access-control-allow-origin']).toBeUndefined();
  });

  it('says Vary: Origin even to a request without Origin, so a cache never serves one origin another', async () => {
    const result = await app.handler(apiGatewayEvent({ path: '/health' }), lambdaContext());

    expect(result.headers?.vary).toBe('Origin');
  });

  it("keeps an asset's Vary: Accept-Encoding when it adds Vary: Origin", async () => {
    const page = await app.handler(apiGatewayEvent({ path: '/docs' }), lambdaContext());
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const event = apiGatewayEvent({
      path: `/${script}`,
      headers: { Origin: 'https://app.example.com', 'Accept-Encoding': 'gzip' },
    });

    const result = await app.handler(event, lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(result.headers?.vary).toBe('Accept-Encoding, Origin');
  });

  it('writes one JSON access log line per request, without the authorization header', async () => {
    const event = apiGatewayEvent({
      path: '/health',
      headers: { 'X-Request-ID': 'log-check-1', Authorization: 'Bearer secret-token-value' },
    });

    await app.handler(event, lambdaContext());

    const lines = app.logs.filter((line) => line.requestId === 'log-check-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', method: 'GET', route: '/health', status: 200 });
    expect(JSON.stringify(app.logs)).not.toContain('secret-token-value');
  });
});

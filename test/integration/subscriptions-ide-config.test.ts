import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGatewayEvent, lambdaContext } from '../helpers/api-gateway-events.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

const WEBSOCKET_URL = 'wss://abc123defg.execute-api.eu-west-1.amazonaws.com/dev';

describe('The IDE learns where subscriptions connect', () => {
  describe('on AWS (WEBSOCKET_URL set)', () => {
    let app: TestHandler;
    beforeAll(async () => {
      app = await createTestHandler({ WEBSOCKET_URL });
    });
    afterAll(() => app.stop());

    it.each(['/graphql/ide-config.json', '/api/graphql/ide-config.json', '/graphql/ide-config.json/'])(
      'serves the WebSocket URL at %s, beside the page, never cached',
      async (path) => {
        // Act
        const result = await app.handler(apiGatewayEvent({ path }), lambdaContext());

        // Assess
        expect(result.statusCode).toBe(200);
        expect(JSON.parse(result.body)).toEqual({ subscriptionsUrl: WEBSOCKET_URL });
        expect(result.headers?.['cache-control']).toBe('no-cache');
      },
    );

    it('lets the IDE page connect to that origin only, besides its own (CSP connect-src)', async () => {
      // Act
      const result = await app.handler(
        apiGatewayEvent({ path: '/graphql', headers: { Accept: 'text/html' } }),
        lambdaContext(),
      );

      // Assess
      expect(result.statusCode).toBe(200);
      const policy = String(result.headers?.['content-security-policy']);
      expect(policy).toContain("connect-src 'self' wss://abc123defg.execute-api.eu-west-1.amazonaws.com;");
      expect(policy).toContain("script-src 'self';");
    });

    it('refuses another method on it', async () => {
      // Act
      const result = await app.handler(
        apiGatewayEvent({ method: 'POST', path: '/graphql/ide-config.json', body: {} }),
        lambdaContext(),
      );

      // Assess
      expect(result.statusCode).toBe(405);
      expect(result.headers?.allow).toBe('GET, HEAD');
    });
  });

  describe('locally (no WEBSOCKET_URL)', () => {
    let app: TestHandler;
    beforeAll(async () => {
      app = await createTestHandler();
    });
    afterAll(() => app.stop());

    it("answers null (the page's own URL) and keeps connect-src to 'self'", async () => {
      // Act
      const [config, page] = await Promise.all([
        app.handler(apiGatewayEvent({ path: '/graphql/ide-config.json' }), lambdaContext()),
        app.handler(apiGatewayEvent({ path: '/graphql', headers: { Accept: 'text/html' } }), lambdaContext()),
      ]);

      // Assess
      expect(JSON.parse(config.body)).toEqual({ subscriptionsUrl: null });
      expect(String(page.headers?.['content-security-policy'])).toContain("connect-src 'self';");
    });
  });
});

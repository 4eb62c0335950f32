import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openRecordedPage } from '../helpers/browser.js';
import { createRestClient, type RestClient } from '../helpers/rest-client.js';
import { registerUser } from '../helpers/rest-fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let client: RestClient;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  client = await createRestClient(server.url);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('REST docs page in headless Chromium', () => {
  it.each([
    { where: 'at the root', stage: undefined, prefix: '' },
    { where: 'under an API Gateway stage', stage: 'dev', prefix: '/dev' },
  ])(
    'authorizes with a token from /user/login and runs GET /user/me through the page $where',
    async ({ stage, prefix }) => {
      // Prepare: an account, and a token from the login endpoint.
      const user = await registerUser(client, 'docs');
      const login = await client.request('POST', '/user/login', {
        json: { username: user.username, password: user.password },
      });
      const token = (login.body as { access_token: string }).access_token;
      const recorded = await openRecordedPage(browser, stage ? { apiGatewayStage: stage } : {});
      const { page } = recorded;

      try {
        // Act: authorize through the page's own dialog, then try the profile operation.
        await page.goto(`${server.url}${prefix}/docs`);
        await page.locator('.swagger-ui .btn.authorize').first().click();
        await page.locator('.modal-ux input[type="text"], .modal-ux input:not([type])').first().fill(token);
        await page.locator('.modal-ux .auth-btn-wrapper .btn.authorize').click();
        await page.locator('.modal-ux .btn-done, .modal-ux .close-modal').first().click();

        const operation = page.locator('#operations-users-getProfile');
        await operation.locator('.opblock-summary').click();
        await operation.locator('.try-out__btn').click();
        // The document's servers are relative to it, so the request keeps the stage.
        const sent = page.waitForRequest((r) => new URL(r.url()).pathname === `${prefix}/user/me`);
        await operation.locator('.execute').click();
        const request = await sent;
        const responseRow = operation.locator('.live-responses-table .response');
        await responseRow.waitFor();

        // Assess: the page sent the bearer token and shows the caller's profile.
        expect(request.headers().authorization).toBe(`Bearer ${token}`);
        expect(await responseRow.locator('.response-col_status').innerText()).toContain('200');
        expect(await responseRow.locator('.response-col_description').innerText()).toContain(user.username);
        expect(recorded.outsideRequests).toEqual([]);
        expect(recorded.errors).toEqual([]);
      } finally {
        await recorded.close();
      }
    },
  );
});

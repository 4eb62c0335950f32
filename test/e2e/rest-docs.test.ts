import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openRecordedPage, type RecordedPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('REST docs (Swagger UI) in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The docs page with its operations rendered from the service's own OpenAPI document. */
  async function openDocs(path = '/docs', stage?: string): Promise<RecordedPage> {
    const recorded = await openRecordedPage(browser, stage ? { apiGatewayStage: stage } : {});
    await recorded.page.goto(`${server.url}${path}`);
    await recorded.page.waitForSelector('.swagger-ui .opblock');
    return recorded;
  }

  it('renders the OpenAPI document from local assets, with no outside request', async () => {
    // Act
    const docs = await openDocs();

    // Assess
    const { page } = docs;
    expect(await page.locator('.swagger-ui .info .title').innerText()).not.toBe('');
    expect(await page.locator('.swagger-ui .opblock-summary-path').allInnerTexts()).toContain('/health');
    expect(await page.isVisible('.swagger-ui .btn.authorize')).toBe(true);
    expect(docs.requests).toContain(`${server.url}/openapi.json`);
    expect(docs.requests.filter((url) => url.includes('/assets/')).length).toBeGreaterThanOrEqual(3);
    expect(docs.outsideRequests).toEqual([]);
    expect(docs.errors).toEqual([]);
    await docs.close();
  });

  it('loads openapi.json relative to itself under an API Gateway stage prefix', async () => {
    // Act
    const docs = await openDocs('/dev/docs', 'dev');

    // Assess
    expect(docs.requests).toContain(`${server.url}/dev/openapi.json`);
    for (const url of docs.requests) expect(url.startsWith(`${server.url}/dev/`)).toBe(true);
    expect(docs.outsideRequests).toEqual([]);
    expect(docs.errors).toEqual([]);
    await docs.close();
  });
});

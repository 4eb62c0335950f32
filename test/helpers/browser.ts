import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's package (`scripts/ensure-chromium.sh` installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium with everything that phones home on its own switched off. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run scripts/ensure-chromium.sh as root`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface RecordedPage {
  readonly page: Page;
  /** Every URL the page asked for, in order (served or refused). */
  readonly requests: readonly string[];
  /** Requests that would have left this machine; they were aborted, not sent. */
  readonly outsideRequests: readonly string[];
  /** Uncaught exceptions, console errors and Content-Security-Policy violations. */
  readonly errors: readonly string[];
  close(): Promise<void>;
}

export interface RecordedPageOptions {
  /**
   * Play API Gateway's execute-api URL: requests under `/<stage>/` reach the local server with
   * the stage removed from the path, so a page must use URLs relative to the stage to work.
   */
  readonly apiGatewayStage?: string;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Not network requests: inline data, objects the page made itself.
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/**
 * A page in a fresh browser context that records every request it makes and lets none leave
 * localhost, so a test can assert that the page works with no CDN and no outside URL.
 */
export async function openRecordedPage(
  browser: Browser,
  options: RecordedPageOptions = {},
): Promise<RecordedPage> {
  const context = await browser.newContext();
  const requests: string[] = [];
  const outsideRequests: string[] = [];
  const errors: string[] = [];

  await context.route('**/*', async (route) => {
    const url = route.request().url();
    requests.push(url);
    if (isLocal(url)) {
      await route.continue(
        options.apiGatewayStage ? { url: withoutStage(url, options.apiGatewayStage) } : {},
      );
    } else {
      outsideRequests.push(url);
      await route.abort('blockedbyclient');
    }
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`);
    });
  });

  return { page, requests, outsideRequests, errors, close: () => context.close() };
}

function withoutStage(url: string, stage: string): string {
  const parsed = new URL(url);
  if (parsed.pathname.startsWith(`/${stage}/`)) parsed.pathname = parsed.pathname.slice(stage.length + 1);
  return parsed.href;
}

function isLocal(url: string): boolean {
  const parsed = new URL(url);
  return LOCAL_SCHEMES.has(parsed.protocol) || LOCAL_HOSTS.has(parsed.hostname);
}

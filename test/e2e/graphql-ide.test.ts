import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openRecordedPage, type RecordedPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESULT_PANE = '.result-window .CodeMirror';

/** GraphiQL's editors are CodeMirror 5 instances; their text is read through its API. */
type CodeMirrorElement = Element & { CodeMirror: { getValue(): string; setValue(text: string): void } };

function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element: Element) => (element as CodeMirrorElement).CodeMirror.getValue());
}

async function setEditorText(page: Page, selector: string, text: string): Promise<void> {
  await page.$eval(
    selector,
    (element: Element, value) => (element as CodeMirrorElement).CodeMirror.setValue(value),
    text,
  );
}

async function register(server: TestServer, username: string): Promise<string> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }',
      variables: { input: { username, password: 'correct horse battery' } },
    }),
  });
  const body = (await response.json()) as { data?: { register: { accessToken: string } } };
  if (!body.data) throw new Error(`register failed: ${JSON.stringify(body)}`);
  return body.data.register.accessToken;
}

describe('GraphQL IDE (GraphiQL) in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openIde(path = '/graphql', stage?: string): Promise<RecordedPage> {
    const recorded = await openRecordedPage(browser, stage ? { apiGatewayStage: stage } : {});
    await recorded.page.goto(`${server.url}${path}`);
    await recorded.page.waitForSelector(QUERY_EDITOR);
    return recorded;
  }

  it('runs a query with a bearer token typed into the headers editor, using only this server', async () => {
    // Prepare
    const token = await register(server, 'ide-user');
    const ide = await openIde();
    const { page } = ide;
    await setEditorText(page, QUERY_EDITOR, '{ me { username } }');

    // Act
    await page.click(HEADERS_EDITOR);
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
    const sent = page.waitForRequest(
      (request) => request.method() === 'POST' && /me \{/.test(request.postData() ?? ''),
    );
    await page.click('.graphiql-execute-button');

    // Assess
    expect((await sent).headers().authorization).toBe(`Bearer ${token}`);
    await expect.poll(() => editorText(page, RESULT_PANE)).toContain('ide-user');
    expect(JSON.parse(await editorText(page, RESULT_PANE))).toEqual({
      data: { me: { username: 'ide-user' } },
    });
    expect(ide.outsideRequests).toEqual([]);
    expect(ide.errors).toEqual([]);
    await ide.close();
  });

  it('opens with the headers editor showing and explores the schema in the docs explorer', async () => {
    // Prepare
    const ide = await openIde();
    const { page } = ide;

    // Act
    await page.click('[aria-label="Show Documentation Explorer"]');

    // Assess
    await expect.poll(() => page.locator('.graphiql-editor-tools button.active').innerText()).toBe('Headers');
    expect(await page.isVisible(HEADERS_EDITOR)).toBe(true);
    const docs = page.locator('.graphiql-doc-explorer');
    await expect.poll(() => docs.innerText()).toContain('query: Query');
    expect(await docs.innerText()).toContain('mutation: Mutation');
    expect(ide.outsideRequests).toEqual([]);
    expect(ide.errors).toEqual([]);
    await ide.close();
  });

  it('works under an API Gateway stage prefix: every request stays under the stage', async () => {
    // Prepare
    const ide = await openIde('/dev/graphql', 'dev');
    const { page } = ide;

    // Act
    await page.click('.graphiql-execute-button');

    // Assess
    await expect.poll(() => editorText(page, RESULT_PANE)).toContain('"status"');
    expect(JSON.parse(await editorText(page, RESULT_PANE))).toMatchObject({
      data: { health: { status: 'ok' } },
    });
    expect(ide.requests.length).toBeGreaterThan(3);
    for (const url of ide.requests) expect(url.startsWith(`${server.url}/dev/`)).toBe(true);
    expect(ide.outsideRequests).toEqual([]);
    expect(ide.errors).toEqual([]);
    await ide.close();
  });
});

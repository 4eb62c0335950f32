import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openRecordedPage } from '../helpers/browser.js';
import { graphqlOverHttp, signUp } from '../helpers/graphql.js';
import { until } from '../helpers/subscriptions.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESULT_PANE = '.result-window .CodeMirror';

type CodeMirrorElement = Element & { CodeMirror: { getValue(): string; setValue(text: string): void } };

describe('GraphQL IDE (GraphiQL) runs subscriptions, in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('subscribes over a WebSocket to this server with the Headers tab token and shows an event', async () => {
    // Prepare
    const user = await signUp(graphqlOverHttp(server.url), 'ide-subscriber');
    const ide = await openRecordedPage(browser);
    const { page } = ide;
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector(QUERY_EDITOR);
    await page.$eval(
      QUERY_EDITOR,
      (element: Element, text) => (element as CodeMirrorElement).CodeMirror.setValue(text),
      'subscription Mine { itemChanged { kind item { name owner { username } } } }',
    );
    await page.click(HEADERS_EDITOR);
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${user.token}` }));

    // Act
    await page.click('.graphiql-execute-button');
    await until(() => server.activeSubscriptions() === 1, 10_000);
    await fetch(`${server.url}/item/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'seen in the IDE' }),
    });

    // Assess
    const result = () =>
      page.$eval(RESULT_PANE, (element: Element) => (element as CodeMirrorElement).CodeMirror.getValue());
    await expect.poll(result, { timeout: 10_000 }).toContain('seen in the IDE');
    expect(JSON.parse(await result())).toEqual({
      data: {
        itemChanged: {
          kind: 'CREATED',
          item: { name: 'seen in the IDE', owner: { username: 'ide-subscriber' } },
        },
      },
    });
    expect(sockets).toEqual([server.subscriptionsUrl]);
    expect(ide.outsideRequests).toEqual([]);
    expect(ide.errors).toEqual([]);

    // Stop ends the subscription on the server too.
    await page.click('.graphiql-execute-button');
    await until(() => server.activeSubscriptions() === 0, 10_000);
    await ide.close();
  });

  it('shows a refused subscription (no token) as the close the protocol sends', async () => {
    // Prepare
    const ide = await openRecordedPage(browser);
    const { page } = ide;
    await page.goto(`${server.url}/graphql`);
    await page.waitForSelector(QUERY_EDITOR);
    await page.$eval(
      QUERY_EDITOR,
      (element: Element, text) => (element as CodeMirrorElement).CodeMirror.setValue(text),
      'subscription { itemChanged { kind } }',
    );

    // Act
    await page.click('.graphiql-execute-button');

    // Assess
    const result = () =>
      page.$eval(RESULT_PANE, (element: Element) => (element as CodeMirrorElement).CodeMirror.getValue());
    await expect.poll(result, { timeout: 10_000 }).toContain('4401');
    expect(ide.outsideRequests).toEqual([]);
    await ide.close();
  });
});

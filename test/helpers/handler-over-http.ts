import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiHandler } from '../../src/http/api-gateway.js';
import { readBody, sendProxyResult, toProxyEvent } from '../../src/local/http-adapter.js';
import { lambdaContext } from './api-gateway-events.js';

export interface HandlerOverHttp {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One Lambda handler served over HTTP on a free loopback port, through the local server's own
 * adapter (request → proxy event → handler → response): HTTP clients such as the OpenAPI-checking
 * REST client reach a handler whose DynamoDB client a test controls (faults, call counts).
 */
export async function serveHandler(handler: ApiHandler): Promise<HandlerOverHttp> {
  const server = createServer((req, res) => {
    void (async () => {
      const event = toProxyEvent(req, await readBody(req), randomUUID());
      sendProxyResult(res, await handler(event, lambdaContext()));
    })().catch((error: unknown) => {
      // The handler answers its own errors; reaching here is a broken test setup.
      res.writeHead(599);
      res.end(String(error));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

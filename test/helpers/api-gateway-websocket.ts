import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WebSocketHandler } from '../../src/realtime/websocket-handler.js';
import { webSocketEvent } from './websocket-events.js';

export interface ApiGatewayWebSocket {
  /** Where clients connect: `ws://127.0.0.1:<port>/<stage>`. */
  readonly url: string;
  /** The stage's management API (`@connections`), for the handler and the publisher. */
  readonly managementEndpoint: string;
  /** `$connect` invocations so far: how many times clients tried to connect. */
  readonly connectAttempts: number;
  /** Messages posted to clients through the management API. */
  readonly posts: number;
  readonly openConnections: number;
  close(): Promise<void>;
}

/**
 * API Gateway's WebSocket API as its Lambda integration sees it, on loopback: each handshake is
 * a `$connect` invocation (a non-2xx refuses it; the answer's `Sec-WebSocket-Protocol` is the
 * subprotocol), each message a `$default` invocation (one at a time per connection), each
 * close a `$disconnect`; the stage's `@connections` API sends to a socket (410 GoneException
 * once it is closed) or closes it with 1000, as DeleteConnection does. Events come from the
 * captured-shape fixtures; the handler is the real one.
 */
export async function startApiGatewayWebSocket(
  handler: () => WebSocketHandler,
  stage = 'dev',
): Promise<ApiGatewayWebSocket> {
  const sockets = new Map<string, WebSocket>();
  const protocols = new WeakMap<IncomingMessage, string>();
  let connectAttempts = 0;
  let posts = 0;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (_offered, request) => protocols.get(request) ?? false,
  });
  const prefix = `/${stage}/@connections/`;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const socket = path.startsWith(prefix)
        ? sockets.get(decodeURIComponent(path.slice(prefix.length)))
        : undefined;
      if (!socket) {
        res.writeHead(410, { 'x-amzn-errortype': 'GoneException', 'content-type': 'application/json' });
        res.end('{"message":null}');
      } else if (req.method === 'DELETE') {
        socket.close(1000);
        res.writeHead(204).end();
      } else {
        posts++;
        socket.send(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      }
    });
  });

  server.on('upgrade', (request: IncomingMessage, tcp, head) => {
    void (async () => {
      connectAttempts++;
      const connectionId = `${randomBytes(9).toString('base64').replace(/[+/]/g, 'A')}=`;
      const offered = request.headers['sec-websocket-protocol'];
      const connectedAt = Date.now();
      const answer = await handler()(
        webSocketEvent('connect', { connectionId, connectedAt, protocols: offered ?? null }),
      );
      if (answer.statusCode !== 200) {
        tcp.end(`HTTP/1.1 ${answer.statusCode} Refused\r\nconnection: close\r\n\r\n`);
        return;
      }
      const protocol = answer.headers?.['Sec-WebSocket-Protocol'];
      if (protocol) protocols.set(request, protocol);
      wss.handleUpgrade(request, tcp, head, (socket) => {
        sockets.set(connectionId, socket);
        let turn = Promise.resolve();
        socket.on('message', (data) => {
          const body = String(data);
          turn = turn.then(async () => {
            await handler()(webSocketEvent('message', { connectionId, connectedAt, body }));
          });
        });
        socket.on('close', () => {
          sockets.delete(connectionId);
          turn = turn.then(async () => {
            await handler()(webSocketEvent('disconnect', { connectionId, connectedAt }));
          });
        });
      });
    })();
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/${stage}`,
    managementEndpoint: `http://127.0.0.1:${port}/${stage}`,
    get connectAttempts() {
      return connectAttempts;
    },
    get posts() {
      return posts;
    },
    get openConnections() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets.values()) socket.terminate();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

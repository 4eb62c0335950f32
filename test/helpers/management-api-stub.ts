import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  readonly connectionId: string;
  /** The message as posted (graphql-transport-ws JSON). */
  readonly message: Record<string, unknown>;
}

export interface ManagementApiStub {
  /** Like a stage's callback URL: `http://127.0.0.1:<port>/dev`. */
  readonly endpoint: string;
  readonly posts: ReceivedPost[];
  /** Connection ids DeleteConnection was called for, in order. */
  readonly deleted: string[];
  /** Connections the client has left: posts answer 410 GoneException. */
  readonly gone: Set<string>;
  /** Connections whose posts fail with a 500. */
  readonly failing: Set<string>;
  /** The messages posted to one connection, in order. */
  messagesTo(connectionId: string): Record<string, unknown>[];
  reset(): void;
  close(): Promise<void>;
}

/**
 * The API Gateway Management API's wire protocol (`@connections`), recording what it receives:
 * `POST /<stage>/@connections/<id>` with the raw message → 200, `DELETE` → 204, and for a gone
 * connection 410 with `x-amzn-errortype: GoneException`, which is how the SDK names the error.
 */
export async function startManagementApiStub(stage = 'dev'): Promise<ManagementApiStub> {
  const posts: ReceivedPost[] = [];
  const deleted: string[] = [];
  const gone = new Set<string>();
  const failing = new Set<string>();
  const prefix = `/${stage}/@connections/`;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith(prefix)) {
        res.writeHead(404).end();
        return;
      }
      const connectionId = decodeURIComponent(path.slice(prefix.length));
      if (gone.has(connectionId)) {
        res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
        res.end('{"message":null}');
        return;
      }
      if (req.method === 'DELETE') {
        deleted.push(connectionId);
        res.writeHead(204).end();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      if (failing.has(connectionId)) {
        res.writeHead(500, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'InternalServerErrorException',
        });
        res.end('{"message":"Internal server error"}');
        return;
      }
      posts.push({
        connectionId,
        message: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/${stage}`,
    posts,
    deleted,
    gone,
    failing,
    messagesTo: (connectionId) => posts.filter((p) => p.connectionId === connectionId).map((p) => p.message),
    reset() {
      posts.length = 0;
      deleted.length = 0;
      gone.clear();
      failing.clear();
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

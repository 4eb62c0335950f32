import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';

interface Invocation {
  readonly requestId: string;
  readonly event: unknown;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * A local stand-in for the Lambda Runtime API (the HTTP interface the runtime client in the
 * base image polls): it hands out one event per `invocation/next` and collects the handler's
 * `response` or `error`. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
export class LocalRuntimeApi {
  private readonly server: Server;
  private readonly queued: Invocation[] = [];
  private readonly inFlight = new Map<string, Invocation>();
  private waitingPoll: ServerResponse | undefined;
  /** What the runtime reported from `init/error`, if its start-up failed. */
  initError: unknown;

  private constructor() {
    this.server = createServer((req, res) => void this.route(req, res));
  }

  static async start(): Promise<LocalRuntimeApi> {
    const api = new LocalRuntimeApi();
    await new Promise<void>((done) => api.server.listen(0, '127.0.0.1', done));
    return api;
  }

  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Queues an event and resolves with what the handler returned for it. */
  invoke(event: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queued.push({ requestId: randomUUID(), event, resolve, reject });
      this.dispatch();
    });
  }

  /** Rejects every queued and running invocation, e.g. when the runtime process died. */
  failAll(error: Error): void {
    for (const pending of [...this.queued, ...this.inFlight.values()]) pending.reject(error);
    this.queued.length = 0;
    this.inFlight.clear();
  }

  async close(): Promise<void> {
    this.waitingPoll?.destroy();
    await new Promise<void>((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  private dispatch(): void {
    const poll = this.waitingPoll;
    const next = this.queued[0];
    if (!poll || !next) return;
    this.queued.shift();
    this.waitingPoll = undefined;
    this.inFlight.set(next.requestId, next);
    poll.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': next.requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + 30_000),
      'lambda-runtime-invoked-function-arn':
        'arn:aws:lambda:eu-west-1:123456789012:function:basic-item-crud-dev',
      'lambda-runtime-trace-id': `Root=1-${Date.now().toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    });
    poll.end(JSON.stringify(next.event));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      this.waitingPoll = res;
      this.dispatch();
      return;
    }
    const done = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const invocation = done ? this.inFlight.get(done[1] as string) : undefined;
    if (req.method === 'POST' && done && invocation) {
      this.inFlight.delete(invocation.requestId);
      if (done[2] === 'response') invocation.resolve(JSON.parse(body) as unknown);
      else invocation.reject(new Error(`handler error: ${body}`));
      res.writeHead(202).end('{"status":"OK"}');
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      this.initError = JSON.parse(body) as unknown;
      this.failAll(new Error(`init error: ${body}`));
      res.writeHead(202).end('{"status":"OK"}');
      return;
    }
    res.writeHead(404).end();
  }
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

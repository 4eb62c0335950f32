import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** API Gateway's own payload limit: the largest body a client can send at all. */
const MAX_EVENT_BODY_BYTES = 10 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** POSTs `size` bytes, streamed, reading the answer even if it comes before the body is sent. */
function postBytes(url: string, size: number, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // The server may answer and stop reading before the whole body is sent: not a failure here.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const length = Math.min(chunk.length, size - sent);
        sent += length;
        if (!req.write(chunk.subarray(0, length))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Issue 15.5 (and issue 11's "the local server's own failures, with a real request id"):
 * whatever the request line holds, the local server answers in the contract's error shape
 * with the id it also sends in `X-Request-ID`, never a 500 quoting "local".
 */
describe('Local server: requests it cannot route or read', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it.each(['//%ff', '//[/health', '//a:b:c/health', '///%5c/item/', '/%', '//'])(
    'answers GET %s with a 4xx error body quoting a real request id',
    async (target) => {
      // Act
      const response = await sendRaw(server.url, { target });

      // Assess
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = JSON.parse(response.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['detail', 'request_id']);
      expect(body.detail).toEqual(expect.any(String));
      expect(body.request_id).toBe(response.headers['x-request-id']);
      expect(body.request_id).toMatch(UUID);
    },
  );

  it('answers a body over 10 MB with 413 in the error shape, quoting a real request id', async () => {
    // Act
    const response = await postBytes(`${server.url}/item/`, MAX_EVENT_BODY_BYTES + 1);

    // Assess
    expect(response.status).toBe(413);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(body).toEqual({ detail: expect.any(String), request_id: response.headers['x-request-id'] });
    expect(body.request_id).toMatch(UUID);
  });

  it("answers a body over 10 MB with the caller's own sane X-Request-ID, as every response", async () => {
    // Act
    const response = await postBytes(`${server.url}/item/`, MAX_EVENT_BODY_BYTES + 1, {
      'x-request-id': 'caller-chosen-413',
    });

    // Assess
    expect(response.status).toBe(413);
    expect(response.headers['x-request-id']).toBe('caller-chosen-413');
    expect(JSON.parse(response.body)).toEqual({
      detail: expect.any(String),
      request_id: 'caller-chosen-413',
    });
  });

  it('answers a body over 10 MB on /graphql as a GraphQL error, as it answers one over 64 KiB', async () => {
    // Act
    const huge = await postBytes(`${server.url}/graphql`, MAX_EVENT_BODY_BYTES + 1);
    const big = await postBytes(`${server.url}/graphql`, 70_000);

    // Assess
    expect([huge.status, big.status]).toEqual([413, 413]);
    const shape = {
      errors: [
        { message: expect.any(String), extensions: { code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' } },
      ],
    };
    expect(JSON.parse(big.body)).toEqual(shape);
    expect(JSON.parse(huge.body)).toEqual(shape);
  });
});

import { randomBytes } from 'node:crypto';
import type { Reply } from './in-process-app.js';

export interface ApiRequest {
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  readonly token?: string;
  readonly query?: Record<string, string>;
}

/** One request to the API, in process (the handler) or over HTTP (the local server) alike. */
export type Send = (request: ApiRequest) => Promise<Reply>;

export function httpSend(baseUrl: string): Send {
  return async ({ method = 'GET', path, body, token, query }) => {
    const url = new URL(path, baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const response = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text, the caller reports it.
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), json };
  };
}

/** Fails loudly: a benchmark that measured error responses would measure the wrong thing. */
export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.json)}`);
  }
  return reply;
}

/** A GraphQL answer with data and no errors, or a thrown error saying what came back. */
export function expectData(reply: Reply, what: string): Record<string, unknown> {
  const body = reply.json as { data?: Record<string, unknown>; errors?: unknown[] } | null;
  if (reply.status !== 200 || !body?.data || body.errors) {
    throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.json)}`);
  }
  return body.data;
}

export interface BenchUser {
  readonly username: string;
  readonly password: string;
  readonly token: string;
  readonly userId: string;
}

export async function registerUser(send: Send, prefix = 'bench'): Promise<BenchUser> {
  const username = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = 'bench-password';
  const reply = expectStatus(
    await send({ method: 'POST', path: '/user/register', body: { username, password } }),
    201,
    'register',
  );
  const token = (reply.json as { access_token: string }).access_token;
  return { username, password, token, userId: tokenSubject(token) };
}

export async function createItem(send: Send, token: string, name: string): Promise<string> {
  const reply = expectStatus(
    await send({ method: 'POST', path: '/item/', token, body: { name, description: `about ${name}` } }),
    201,
    'create item',
  );
  return (reply.json as { id: string }).id;
}

export async function createItems(send: Send, token: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await createItem(send, token, `item ${i}`));
  return ids;
}

/** The user id a token was issued for (its `sub`); reading it needs no key. */
function tokenSubject(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string }).sub;
}

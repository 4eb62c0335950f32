import { randomUUID } from 'node:crypto';
import type { RestClient } from './rest-client.js';

/** The same route as clients spell it: as written, with the trailing slash toggled, and under `/api`. */
export function pathVariants(path: string): string[] {
  const toggled = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
  return [path, toggled, `/api${path}`, `/api${toggled}`];
}

export function uniqueUsername(prefix = 'user'): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

export interface RegisteredUser {
  readonly username: string;
  readonly password: string;
  readonly token: string;
}

export async function registerUser(client: RestClient, prefix?: string): Promise<RegisteredUser> {
  const username = uniqueUsername(prefix);
  const password = 'correct horse battery';
  const response = await client.request('POST', '/user/register', { json: { username, password } });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
  return { username, password, token: (response.body as { access_token: string }).access_token };
}

export interface ItemBody {
  readonly id: string;
  readonly owner_id: string;
  readonly name: string;
  readonly description: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly version: number;
}

export async function createItem(
  client: RestClient,
  token: string,
  name = 'an item',
  description = '',
): Promise<ItemBody> {
  const response = await client.request('POST', '/item/', { token, json: { name, description } });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return response.body as ItemBody;
}

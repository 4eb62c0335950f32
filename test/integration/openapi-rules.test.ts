import addFormats from 'ajv-formats';
import { OpenAPIBackend, ValidationContext } from 'openapi-backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usernameKey } from '../../src/domain/input-rules.js';
import {
  fuzzValues,
  NAME_CHARACTERS,
  SPACE_CHARACTERS,
  TEXT_CHARACTERS,
  type FuzzValues,
} from '../helpers/fuzz-values.js';
import { createRestClient, type RestClient } from '../helpers/rest-client.js';
import { createItem, registerUser, type RegisteredUser } from '../helpers/rest-fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** What the document says of a request: does it allow it, and would its rules be enough to know. */
type Verdict = 'allows' | 'refuses' | 'unstated';

interface Candidate {
  readonly request: unknown;
  readonly verdict: Verdict;
}

type Check = (value: unknown) => boolean;

const SEED = 20_261_201;
/** The characters a username may hold, in their NFKC form (the wild pool has the others). */
const USERNAME_CHARACTERS = NAME_CHARACTERS.filter(
  (c) => /^[\p{L}\p{N}._-]$/u.test(c) && c.normalize('NFKC') === c,
);
const PASSWORD_CHARACTERS = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  'é',
  '中',
  '😀',
];
const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** A field's value: mostly a string built by `text`, sometimes absent, `null` or another type. */
function fieldValue(f: FuzzValues, text: () => string): unknown {
  const roll = f.next();
  if (roll < 0.06) return undefined;
  if (roll < 0.12) return f.pick([null, 42, true, ['x'], { x: 1 }]);
  return text();
}

function withFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * Issue 15.7: the OpenAPI document states the input rules in its schemas, so a client or
 * fuzzer reading `/openapi.json` finds no request the document allows and the service refuses
 * (and, here, none the document refuses and the service takes). Candidates are built from the
 * schemas' own bounds; the document's verdict is ajv's (openapi-backend's validator) on the
 * document's own schema. Where the document says in prose that a rule cannot be stated in JSON
 * Schema, those candidates are left out (`unstated`), as the document itself tells clients.
 */
describe('The OpenAPI document states the rules the service applies', () => {
  let server: TestServer;
  let client: RestClient;
  let user: RegisteredUser;
  let schemaOf: (name: string) => Check;
  let description: (name: string, property?: string) => string;

  beforeAll(async () => {
    server = await startTestServer();
    client = await createRestClient(server.url);
    user = await registerUser(client, 'fuzz');
    const api = new OpenAPIBackend({
      definition: structuredClone(client.document),
      strict: true,
      customizeAjv: (ajv) => addFormats.default(ajv),
    });
    await api.init();
    const ajv = api.validator.getAjv(ValidationContext.RequestBody);
    const schemas = (api.definition.components?.schemas ?? {}) as Record<
      string,
      { description?: string; properties?: Record<string, { description?: string }> }
    >;
    schemaOf = (name) => {
      const validate = ajv.compile(schemas[name] ?? { not: {} });
      return (value) => validate(value) === true;
    };
    description = (name, property) =>
      (property ? schemas[name]?.properties?.[property]?.description : schemas[name]?.description) ?? '';
  });
  afterAll(() => server?.stop());

  /** Sends every candidate; returns the ones the service judged otherwise than the document. */
  async function disagreements(
    candidates: readonly Candidate[],
    send: (request: unknown) => Promise<number>,
    accepted: number,
  ): Promise<string[]> {
    const found: string[] = [];
    for (const { request, verdict } of candidates) {
      if (verdict === 'unstated') continue;
      const status = await send(request);
      const serviceAllows = status === accepted;
      if (serviceAllows !== (verdict === 'allows') || (status !== accepted && status !== 422)) {
        const shown = JSON.stringify(request);
        const shortened = shown.length > 160 ? `${shown.slice(0, 160)}…` : shown;
        found.push(`${shortened}: the document ${verdict} it, the service answered ${status}`);
      }
    }
    return found;
  }

  /** The run is only worth something if both sides were tried many times. */
  function expectBothVerdicts(candidates: readonly Candidate[], atLeast: number): void {
    const count = (verdict: Verdict) => candidates.filter((c) => c.verdict === verdict).length;
    expect(count('allows')).toBeGreaterThanOrEqual(atLeast);
    expect(count('refuses')).toBeGreaterThanOrEqual(atLeast);
  }

  it('RegisterRequest: the service accepts exactly the accounts the document allows', async () => {
    // Prepare
    const f = fuzzValues(SEED);
    const allows = schemaOf('RegisterRequest');
    const usernameRule = description('RegisterRequest', 'username');
    const passwordRule = description('RegisterRequest', 'password');
    const taken = new Set<string>();
    const candidates: Candidate[] = [];
    while (candidates.length < 200) {
      const pool = f.chance(0.75) ? USERNAME_CHARACTERS : NAME_CHARACTERS;
      const username = fieldValue(f, () => f.text(pool, f.length([3, 12, 50], 55)));
      const password = fieldValue(f, () => f.text(PASSWORD_CHARACTERS, f.length([6, 16, 72], 80)));
      const request = withFields({ username, password, email: f.chance(0.2) ? 'x@example.com' : undefined });
      // A taken name is a documented 400, not a rule: each candidate name is new.
      if (typeof username === 'string') {
        if (taken.has(usernameKey(username))) continue;
        taken.add(usernameKey(username));
      }
      const verdict = allows(request) ? 'allows' : 'refuses';
      // Both caveats are in the document's own words (asserted below).
      const nfkcChanges = typeof username === 'string' && username.normalize('NFKC') !== username;
      const overBytes = verdict === 'allows' && typeof password === 'string' && utf8Bytes(password) > 72;
      candidates.push({ request, verdict: nfkcChanges || overBytes ? 'unstated' : verdict });
    }

    // Act
    const found = await disagreements(
      candidates,
      async (json) => (await client.request('POST', '/user/register', { json })).status,
      201,
    );

    // Assess
    expect(usernameRule).toMatch(/NFKC/);
    expect(passwordRule).toMatch(/bytes/);
    expectBothVerdicts(candidates, 40);
    expect(found).toEqual([]);
  });

  it('ItemCreateRequest: the service creates exactly the items the document allows', async () => {
    // Prepare
    const f = fuzzValues(SEED + 1);
    const allows = schemaOf('ItemCreateRequest');
    const nullDescription = description('ItemCreateRequest', 'description');
    const candidates: Candidate[] = [];
    for (let i = 0; i < 200; i++) {
      const pool = f.chance(0.2) ? SPACE_CHARACTERS : TEXT_CHARACTERS;
      const name = fieldValue(f, () => f.text(pool, f.length([1, 200], 205)));
      const text = () => f.text(TEXT_CHARACTERS, f.length([0, 2000], 2005));
      const described = f.chance(0.7) ? fieldValue(f, text) : undefined;
      const request = withFields({ name, description: described, owner_id: f.chance(0.1) ? 'x' : undefined });
      const verdict = allows(request) ? 'allows' : 'refuses';
      // `null` is documented in prose as "empty", beside a schema that says string.
      const documentedNull = described === null && allows({ ...request, description: '' });
      candidates.push({ request, verdict: documentedNull ? 'unstated' : verdict });
    }

    // Act
    const found = await disagreements(
      candidates,
      async (json) => (await client.request('POST', '/item/', { token: user.token, json })).status,
      201,
    );

    // Assess
    expect(nullDescription).toMatch(/null/);
    expectBothVerdicts(candidates, 40);
    expect(found).toEqual([]);
  });

  it('ItemUpdateRequest: the service applies exactly the updates the document allows', async () => {
    // Prepare
    const f = fuzzValues(SEED + 2);
    const allows = schemaOf('ItemUpdateRequest');
    const item = await createItem(client, user.token, 'to be updated');
    const candidates: Candidate[] = [];
    for (let i = 0; i < 150; i++) {
      const pool = f.chance(0.25) ? SPACE_CHARACTERS : TEXT_CHARACTERS;
      const name = f.chance(0.6) ? fieldValue(f, () => f.text(pool, f.length([1, 200], 205))) : undefined;
      const described = f.chance(0.6)
        ? fieldValue(f, () => f.text(TEXT_CHARACTERS, f.length([0, 2000], 2005)))
        : undefined;
      const request = withFields({ name, description: described, version: f.chance(0.15) ? 99 : undefined });
      candidates.push({ request, verdict: allows(request) ? 'allows' : 'refuses' });
    }

    // Act
    const found = await disagreements(
      candidates,
      async (json) => (await client.request('PUT', `/item/${item.id}`, { token: user.token, json })).status,
      200,
    );

    // Assess
    expectBothVerdicts(candidates, 30);
    expect(found).toEqual([]);
  });

  it('listItems: the service lists with exactly the query parameters the document allows', async () => {
    // Prepare: two items, so that a page of one has a next page and a real cursor.
    const lister = await registerUser(client, 'lister');
    await createItem(client, lister.token, 'one');
    await createItem(client, lister.token, 'two');
    const firstPage = await client.request('GET', '/item/?limit=1', { token: lister.token });
    const cursor = new URLSearchParams(/<\?([^>]*)>/.exec(firstPage.headers.get('link') ?? '')?.[1]).get(
      'cursor',
    );
    const parameters = (client.document.paths?.['/item/']?.get?.parameters ?? []) as {
      name: string;
      schema: object;
    }[];
    const api = new OpenAPIBackend({ definition: structuredClone(client.document) });
    await api.init();
    const ajv = api.validator.getAjv(ValidationContext.Params);
    const rule = (name: string) => ajv.compile(parameters.find((p) => p.name === name)?.schema ?? {});
    const [limitRule, cursorRule] = [rule('limit'), rule('cursor')];
    const f = fuzzValues(SEED + 3);
    const candidates: Candidate[] = [];
    for (let i = 0; i < 80; i++) {
      // Values as the document types them, sent as OpenAPI serializes them (`String(value)`).
      const limit = f.chance(0.85)
        ? f.pick([f.int(-2, 105), f.pick([0, 1, 2, 99, 100, 101]), 2.5, 'abc', '', 'true'])
        : undefined;
      const sentCursor = f.chance(0.3) ? f.pick([cursor, '']) : undefined;
      const query = withFields({ limit, cursor: sentCursor });
      // A query string carries text: only a number's own spelling can be the integer it spells.
      const limitAllowed = limit === undefined || (typeof limit === 'number' && limitRule(limit) === true);
      const cursorAllowed = sentCursor === undefined || cursorRule(sentCursor) === true;
      candidates.push({ request: query, verdict: limitAllowed && cursorAllowed ? 'allows' : 'refuses' });
    }

    // Act
    const found = await disagreements(
      candidates,
      async (query) => {
        const search = new URLSearchParams(
          Object.entries(query as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
        );
        return (await client.request('GET', `/item/?${search.toString()}`, { token: lister.token })).status;
      },
      200,
    );

    // Assess
    expect(cursor).toEqual(expect.any(String));
    expectBothVerdicts(candidates, 15);
    expect(found).toEqual([]);
  });

  it('Idempotency-Key: the service takes exactly the keys the document allows', async () => {
    // Prepare
    const parameters = (client.document.paths?.['/item/']?.post?.parameters ?? []) as {
      name: string;
      schema: object;
    }[];
    const api = new OpenAPIBackend({ definition: structuredClone(client.document) });
    await api.init();
    const keyRule = api.validator
      .getAjv(ValidationContext.Params)
      .compile(parameters.find((p) => p.name === 'idempotency-key')?.schema ?? {});
    const f = fuzzValues(SEED + 4);
    // What a fetch client can put in a header: Latin-1, no control character but tab.
    const visible = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const pool = [...visible, ...visible, 'é', '\u00a0', '\t', '\u00ff'];
    const candidates: Candidate[] = [];
    for (let i = 0; i < 120; i++) {
      const inner = f.text(pool, f.length([1, 255, 256, 257], 260));
      // fetch trims a header's outer whitespace: the ends are visible, as sent.
      const key = `${f.pick(visible.slice(1))}${inner.slice(2)}${inner.length > 1 ? f.pick(visible.slice(1)) : ''}`;
      const quoted = f.chance(0.3) ? `"${key}"` : key;
      candidates.push({ request: quoted, verdict: keyRule(quoted) === true ? 'allows' : 'refuses' });
    }

    // Act
    const found = await disagreements(
      candidates,
      async (key) =>
        (
          await client.request('POST', '/item/', {
            token: user.token,
            json: { name: 'keyed' },
            headers: { 'idempotency-key': key as string },
          })
        ).status,
      201,
    );

    // Assess
    expectBothVerdicts(candidates, 15);
    expect(found).toEqual([]);
  });
});

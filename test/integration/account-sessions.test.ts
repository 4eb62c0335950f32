import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  outcome,
  pairOf,
  refusalOf,
  restAnswer,
  tokenPairOf,
  TRANSPORTS,
  type AccountApi,
  type TransportName,
} from '../helpers/account-api.js';
import {
  ACCOUNT_PASSWORD,
  startAccountsApp,
  type AccountsApp,
  type TestAccount,
} from '../helpers/accounts-app.js';
import { servicesAt } from '../helpers/clocked-services.js';
import { rejection } from '../helpers/data-layer.js';
import { UnauthenticatedError } from '../../src/domain/errors.js';
import { gateCalls } from '../helpers/call-gate.js';
import { ROTATION_GRACE_SECONDS } from '../../src/storage/session-repository.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { loseFirstResponses } from '../helpers/lost-responses.js';
import { rewriteOutput } from '../helpers/dynamodb-recorder.js';

/**
 * Issue 14, staying signed in and signing out: refresh tokens rotate at every use, a rotated
 * one coming back revokes its sign-in, logout ends one sign-in and logout-all every one, and
 * access tokens keep authenticating without a database call until they expire.
 */
describe.each(dynamoBackends)('Sign-in sessions on $name', (backend) => {
  let app: AccountsApp;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    app = await startAccountsApp(backend);
  });
  afterAll(() => app?.close());
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** A second sign-in (another device) of `account`. */
  const signIn = async (api: AccountApi, account: TestAccount) =>
    pairOf(await api.login(account.username, account.password));

  describe.each(TRANSPORTS)('through %s', (transport: TransportName) => {
    const api = () => app.api(transport);

    describe('Method: refresh', () => {
      it('answers a new pair, and the refresh token presented then fails', async () => {
        // Prepare
        const account = await app.signUp(api(), 'rotate');

        // Act
        const next = pairOf(await api().refresh(account.pair.refreshToken));
        const again = await api().refresh(account.pair.refreshToken);

        // Assess
        expect(next.refreshToken).not.toBe(account.pair.refreshToken);
        expect(await api().me(next.accessToken)).toEqual({
          ok: true,
          value: { id: account.id, username: account.username },
        });
        expect(refusalOf(again).kind).toBe('unauthenticated');
      });

      it('keeps rotating: every token of the chain works exactly once, in turn', async () => {
        // Prepare
        const account = await app.signUp(api(), 'chain');

        // Act
        const chain = [account.pair.refreshToken];
        for (let i = 0; i < 4; i++)
          chain.push(pairOf(await api().refresh(chain.at(-1) as string)).refreshToken);

        // Assess
        expect(new Set(chain).size).toBe(5);
        expect(outcome(await api().refresh(chain.at(-1) as string))).toBe('ok');
      });

      it('costs one BatchGetItem (session and credentials) and one UpdateItem (the rotation)', async () => {
        // Prepare
        const account = await app.signUp(api(), 'cost');
        const second = pairOf(await api().refresh(account.pair.refreshToken));
        app.calls.reset();

        // Act
        pairOf(await api().refresh(second.refreshToken));

        // Assess
        expect(app.calls.operations()).toEqual(['BatchGetItem', 'UpdateItem']);
      });

      it.each([
        ['once: asked for again, and the refresh answers', 1, 'ok'],
        ['every time: 503, and the sign-in is not taken for a replay', Infinity, 'unavailable'],
      ])(
        'when DynamoDB leaves the session and credentials unprocessed %s',
        async (_case, times, expected) => {
          // Prepare: a rotated token (its session has a row)
          const account = await app.signUp(api(), 'unprocessed');
          const rotated = pairOf(await api().refresh(account.pair.refreshToken));
          let left = 0;
          const remove = rewriteOutput(app.client, (operation, output) => {
            if (operation !== 'BatchGetItem' || left++ >= times) return;
            const responses = output.Responses as Record<string, { id: unknown }[]>;
            output.UnprocessedKeys = Object.fromEntries(
              Object.entries(responses).map(([table, rows]) => [
                table,
                { Keys: rows.map(({ id }) => ({ id })) },
              ]),
            );
            for (const table of Object.keys(responses)) responses[table] = [];
          });
          cleanups.push(remove);

          // Act
          const answer = await api().refresh(rotated.refreshToken);
          remove();

          // Assess: whatever the answer, the sign-in still works
          expect(outcome(answer)).toBe(expected);
          const next = answer.ok ? pairOf(answer) : rotated;
          expect(outcome(await api().refresh(next.refreshToken))).toBe('ok');
        },
      );

      it('revokes the sign-in when a rotated token comes back: the token rotated from it is refused too', async () => {
        // Prepare
        const account = await app.signUp(api(), 'reuse');
        const first = account.pair.refreshToken;
        const second = pairOf(await api().refresh(first)).refreshToken;
        const third = pairOf(await api().refresh(second)).refreshToken;

        // Act: a copy of the first token (stolen, say) is presented
        const reuse = await api().refresh(first);

        // Assess: the newest token of that sign-in, which its holder would use next, is dead too
        expect(refusalOf(reuse).kind).toBe('unauthenticated');
        expect(outcome(await api().refresh(third))).toBe('unauthenticated');
        expect(outcome(await api().refresh(second))).toBe('unauthenticated');
      });

      it('revokes only that sign-in once the grace period is over: another sign-in of the same user keeps refreshing', async () => {
        // Prepare: the rotation happened longer ago than a racing twin of the same client could be
        const account = await app.signUp(api(), 'family');
        const otherDevice = await signIn(api(), account);
        const rotated = pairOf(await api().refresh(account.pair.refreshToken));
        const session = await app.sessionRowOf(rotated.refreshToken);
        await app.setUserRow(String(session?.id), {
          rotated_at: Math.floor(Date.now() / 1000) - ROTATION_GRACE_SECONDS - 1,
        });

        // Act: the sign-in's first token comes back
        await api().refresh(account.pair.refreshToken);

        // Assess
        expect(outcome(await api().refresh(rotated.refreshToken))).toBe('unauthenticated');
        expect(outcome(await api().refresh(otherDevice.refreshToken))).toBe('ok');
      });

      it.each([
        ['the first token of a sign-in', 0],
        ['a token already rotated twice', 2],
      ])(
        'gives one winner to 8 concurrent refreshes of %s; the winner keeps refreshing',
        async (_case, rotations) => {
          // Prepare
          const account = await app.signUp(api(), 'race');
          let token = account.pair.refreshToken;
          for (let i = 0; i < rotations; i++) token = pairOf(await api().refresh(token)).refreshToken;

          // Act
          const answers = await Promise.all(Array.from({ length: 8 }, () => api().refresh(token)));

          // Assess: the losers are refused without revoking the sign-in (a race of one client is no replay)
          const winner = answers.flatMap((answer) => (answer.ok ? [answer.value] : []))[0];
          expect(answers.map(outcome).sort()).toEqual(['ok', ...Array<string>(7).fill('unauthenticated')]);
          expect(await app.sessionRowOf(winner?.refreshToken ?? '')).not.toHaveProperty('revoked_at');
          expect(outcome(await api().refresh(winner?.refreshToken ?? ''))).toBe('ok');
        },
      );

      it.each([
        ['the first token of a sign-in', 0],
        ['a rotated token', 1],
      ])(
        'gives one winner to two concurrent refreshes of %s when the loser reads just after the winner rotated',
        async (_case, rotations) => {
          // Prepare: the second request's read waits for the first one's rotation to land
          const account = await app.signUp(api(), 'interleave');
          let token = account.pair.refreshToken;
          for (let i = 0; i < rotations; i++) token = pairOf(await api().refresh(token)).refreshToken;
          let reads = 0;
          const remove = gateCalls(app.client, {
            hold: (operation) => operation === 'BatchGetItem' && ++reads === 2,
            releaseAfter: (operation) => operation === 'UpdateItem',
          });
          cleanups.push(remove);

          // Act
          const answers = await Promise.all([api().refresh(token), api().refresh(token)]);
          remove();

          // Assess
          const winner = answers.flatMap((answer) => (answer.ok ? [answer.value] : []))[0];
          expect(answers.map(outcome).sort()).toEqual(['ok', 'unauthenticated']);
          expect(await app.sessionRowOf(winner?.refreshToken ?? '')).not.toHaveProperty('revoked_at');
          expect(outcome(await api().refresh(winner?.refreshToken ?? ''))).toBe('ok');
        },
      );

      it('answers a pair that works when the answer of its rotation was lost and the SDK retried', async () => {
        // Prepare: every first answer to a users-table update is lost after the write landed
        const account = await app.signUp(api(), 'lost');
        const lost = loseFirstResponses(app.client, {
          when: (operation, input) => operation === 'UpdateItem' && input.TableName === app.tables.users,
        });
        cleanups.push(lost.remove);

        // Act: the first token (no session row yet), then a rotated one
        const second = await api().refresh(account.pair.refreshToken);
        const third = await api().refresh(pairOf(second).refreshToken);
        lost.remove();

        // Assess
        expect(lost.lost()).toBe(2);
        const newest = pairOf(third);
        expect(outcome(await api().me(newest.accessToken))).toBe('ok');
        expect(outcome(await api().refresh(newest.refreshToken))).toBe('ok');
      });

      it('stores no refresh token, only the SHA-256 of the one that works', async () => {
        // Prepare
        const account = await app.signUp(api(), 'hashed');

        // Act
        const next = pairOf(await api().refresh(account.pair.refreshToken));

        // Assess
        expect(await app.rowsMentioning(account.pair.refreshToken, next.refreshToken)).toEqual([]);
        const digest = createHash('sha256').update(next.refreshToken).digest('base64url');
        expect(await app.sessionRowOf(next.refreshToken)).toMatchObject({ current_hash: digest });
      });

      it('refuses a refresh token it did not issue, or one whose seal was altered', async () => {
        // Prepare
        const account = await app.signUp(api(), 'forged');
        const [claims, random, seal] = account.pair.refreshToken.split('.') as [string, string, string];
        const altered = `${claims}.${random}.${seal.slice(0, -2)}${seal.endsWith('AA') ? 'BB' : 'AA'}`;

        // Act
        const answers = [await api().refresh(altered), await api().refresh('not-a-refresh-token')];

        // Assess
        expect(answers.map(outcome)).toEqual(['unauthenticated', 'unauthenticated']);
        expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('ok');
      });
    });

    describe('Method: logout', () => {
      it("signs this device out: its refresh token fails, another sign-in's still works", async () => {
        // Prepare
        const account = await app.signUp(api(), 'logout');
        const otherDevice = await signIn(api(), account);
        app.calls.reset();

        // Act
        const answer = await api().logout(account.pair.refreshToken);

        // Assess: one write
        expect(answer).toEqual({ ok: true, value: true });
        expect(app.calls.operations()).toEqual(['UpdateItem']);
        expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('unauthenticated');
        expect(outcome(await api().refresh(otherDevice.refreshToken))).toBe('ok');
      });

      it('ends a sign-in that has rotated, and its access token keeps working until it expires', async () => {
        // Prepare
        const account = await app.signUp(api(), 'logout2');
        const rotated = pairOf(await api().refresh(account.pair.refreshToken));

        // Act
        const answer = await api().logout(rotated.refreshToken);

        // Assess
        expect(outcome(answer)).toBe('ok');
        expect(outcome(await api().refresh(rotated.refreshToken))).toBe('unauthenticated');
        expect(outcome(await api().me(rotated.accessToken))).toBe('ok');
      });

      it('answers as the first attempt when its answer was lost and the SDK retried', async () => {
        // Prepare
        const account = await app.signUp(api(), 'logoutlost');
        const lost = loseFirstResponses(app.client, { when: (operation) => operation === 'UpdateItem' });
        cleanups.push(lost.remove);

        // Act
        const answer = await api().logout(account.pair.refreshToken);
        lost.remove();

        // Assess
        expect(lost.lost()).toBe(1);
        expect(outcome(answer)).toBe('ok');
        expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('unauthenticated');
      });

      it('refuses a refresh token it did not issue', async () => {
        // Act
        const answer = await api().logout('not-a-refresh-token');

        // Assess
        expect(refusalOf(answer).kind).toBe('unauthenticated');
      });
    });

    describe('Method: logoutAll', () => {
      it('ends every sign-in of the user; the access tokens already issued still work', async () => {
        // Prepare: three devices, one of which has rotated
        const account = await app.signUp(api(), 'everywhere');
        const second = await signIn(api(), account);
        const third = pairOf(await api().refresh((await signIn(api(), account)).refreshToken));
        const stranger = await app.signUp(api(), 'stranger');
        app.calls.reset();

        // Act
        const answer = await api().logoutAll(second.accessToken);

        // Assess: the user, the credentials, one write
        expect(answer).toEqual({ ok: true, value: true });
        expect(app.calls.operations()).toEqual(['GetItem', 'GetItem', 'UpdateItem']);
        const refreshes = [account.pair, second, third].map((pair) => api().refresh(pair.refreshToken));
        expect((await Promise.all(refreshes)).map(outcome)).toEqual([
          'unauthenticated',
          'unauthenticated',
          'unauthenticated',
        ]);
        const profiles = [account.pair, second, third].map((pair) => api().me(pair.accessToken));
        expect((await Promise.all(profiles)).map(outcome)).toEqual(['ok', 'ok', 'ok']);
        expect(outcome(await api().refresh(stranger.pair.refreshToken))).toBe('ok');
      });

      it('leaves a sign-in made after it working', async () => {
        // Prepare
        const account = await app.signUp(api(), 'after');
        pairOf(await api().refresh(account.pair.refreshToken));
        await api().logoutAll(account.pair.accessToken);

        // Act
        const fresh = await signIn(api(), account);

        // Assess
        expect(outcome(await api().refresh(fresh.refreshToken))).toBe('ok');
      });

      it('requires an access token', async () => {
        // Act
        const answer = await api().logoutAll('');

        // Assess
        expect(refusalOf(answer).kind).toBe('unauthenticated');
      });
    });

    describe('Access tokens', () => {
      /** One request that authenticates, then is refused by input rules before any storage. */
      const authenticatedOnly = async (token: string): Promise<string> => {
        if (transport === 'REST') {
          return String((await app.rest.request('POST', '/item/', { token, json: { name: ' ' } })).status);
        }
        const response = await app.graphql('mutation { createItem(input: { name: " " }) { id } }', { token });
        return String(response.body.errors?.[0]?.extensions?.code);
      };

      it('authenticate a request with no DynamoDB call, also after logout-all', async () => {
        // Prepare
        const account = await app.signUp(api(), 'zero');
        const refreshed = pairOf(await api().refresh(account.pair.refreshToken));
        await api().logoutAll(refreshed.accessToken);
        const unauthenticated = await authenticatedOnly('');
        app.calls.reset();

        // Act
        const answers = [
          await authenticatedOnly(account.pair.accessToken),
          await authenticatedOnly(refreshed.accessToken),
        ];

        // Assess: past authentication (not refused as unauthenticated), and not one call
        const refused = transport === 'REST' ? '422' : 'BAD_USER_INPUT';
        expect(unauthenticated).toBe(transport === 'REST' ? '401' : 'UNAUTHENTICATED');
        expect(answers).toEqual([refused, refused]);
        expect(app.calls.operations()).toEqual([]);
      });
    });
  });

  describe('Clock: refresh tokens expire, with the domain’s clock set', () => {
    const DAY_MS = 86_400_000;

    it('renews until 30 days after the token was issued, not after; signing out still takes it', async () => {
      // Prepare
      const issuedAt = Date.UTC(2030, 0, 1);
      let now = issuedAt;
      const accounts = () => servicesAt(app.storage, () => now).accounts;
      const username = `expiry_${randomUUID().slice(0, 8)}`;
      await accounts().register({ username, password: ACCOUNT_PASSWORD });
      const early = (await accounts().login({ username, password: ACCOUNT_PASSWORD })).token.refreshToken;
      const late = (await accounts().login({ username, password: ACCOUNT_PASSWORD })).token.refreshToken;

      // Act
      now = issuedAt + 30 * DAY_MS - 1_000;
      const renewed = await accounts().refresh({ refreshToken: early });
      now = issuedAt + 30 * DAY_MS;
      const expired = accounts().refresh({ refreshToken: late });
      const signedOut = accounts().logout({ refreshToken: late });

      // Assess: the renewed token runs 30 days from its own issue
      expect(Date.parse(renewed.token.refreshExpiresAt)).toBe(issuedAt + 60 * DAY_MS - 1_000);
      await rejection(expired, UnauthenticatedError);
      await expect(signedOut).resolves.toBeUndefined();
    });
  });

  describe('REST clients', () => {
    const form = (fields: Record<string, string>) => ({
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    it('refresh with the OAuth2 form at POST /user/login (grant_type=refresh_token), which rotates', async () => {
      // Prepare
      const account = await app.signUp(app.api('REST'), 'oauth');

      // Act
      const response = await app.rest.request(
        'POST',
        '/user/login',
        form({ grant_type: 'refresh_token', refresh_token: account.pair.refreshToken }),
      );

      // Assess
      const pair = pairOf(restAnswer(response, 200, tokenPairOf));
      expect(outcome(await app.api('REST').me(pair.accessToken))).toBe('ok');
      expect(outcome(await app.api('REST').refresh(account.pair.refreshToken))).toBe('unauthenticated');
    });

    it('refresh with the same grant as JSON at the legacy POST /api/user/login/', async () => {
      // Prepare
      const account = await app.signUp(app.api('REST'), 'oauthjson');

      // Act
      const response = await app.rest.request('POST', '/api/user/login/', {
        json: { grant_type: 'refresh_token', refresh_token: account.pair.refreshToken },
      });

      // Assess
      const pair = pairOf(restAnswer(response, 200, tokenPairOf));
      expect(outcome(await app.api('REST').refresh(pair.refreshToken))).toBe('ok');
    });

    it('a refresh grant with a token it did not issue is a 401 with WWW-Authenticate', async () => {
      // Act
      const response = await app.rest.request(
        'POST',
        '/user/login',
        form({ grant_type: 'refresh_token', refresh_token: 'forged' }),
      );

      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('legacy clients that ignore refresh_token keep working with access_token alone', async () => {
      // Prepare
      const account = await app.signUp(app.api('REST'), 'legacy');

      // Act: the old frontend's calls, with the OAuth2 password form
      const login = await app.rest.request(
        'POST',
        '/api/user/login/',
        form({ username: account.username, password: account.password }),
      );
      const token = (login.body as { access_token: string }).access_token;
      const created = await app.rest.request('POST', '/api/item/create/', { token, json: { name: 'kept' } });
      const listed = await app.rest.request('GET', '/api/item/read/', { token });
      const profile = await app.rest.request('GET', '/api/user/profile/', { token });

      // Assess
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer' });
      expect([created.status, listed.status, profile.status]).toEqual([200, 200, 200]);
      expect((listed.body as { name: string }[]).map((item) => item.name)).toEqual(['kept']);
      expect(profile.body).toEqual({ message: `Welcome ${account.username}!` });
    });

    it('token bodies: an access token for 15 minutes, a refresh token for 30 days', async () => {
      // Act
      const before = Date.now();
      const account = await app.signUp(app.api('REST'), 'lifetimes');

      // Assess
      const minutes = (Date.parse(account.pair.expiresAt) - before) / 60_000;
      const days = (Date.parse(account.pair.refreshExpiresAt) - before) / 86_400_000;
      expect(minutes).toBeGreaterThan(14.9);
      expect(minutes).toBeLessThanOrEqual(15.1);
      expect(days).toBeGreaterThan(29.99);
      expect(days).toBeLessThanOrEqual(30.01);
    });
  });

  describe('GraphQL clients', () => {
    it('that select only accessToken keep working with it alone', async () => {
      // Prepare
      const account = await app.signUp(app.api('GraphQL'), 'legacygql');

      // Act
      const login = await app.graphql<{ login: { accessToken: string } }>(
        'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
        { variables: { input: { username: account.username, password: account.password } } },
      );
      const token = login.body.data?.login.accessToken ?? '';
      const created = await app.graphql('mutation { createItem(input: { name: "kept" }) { id } }', { token });

      // Assess
      expect(login.body.errors).toBeUndefined();
      expect(created.body.errors).toBeUndefined();
    });
  });
});

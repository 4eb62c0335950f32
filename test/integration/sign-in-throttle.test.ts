import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError, UnauthenticatedError } from '../../src/domain/errors.js';
import {
  outcome,
  refusalOf,
  TRANSPORTS,
  type AccountApi,
  type Answer,
  type TransportName,
} from '../helpers/account-api.js';
import { startAccountsApp, type AccountsApp } from '../helpers/accounts-app.js';
import { servicesAt } from '../helpers/clocked-services.js';
import { rejection } from '../helpers/data-layer.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import {
  awayFromWindowEdge,
  currentWindow,
  SIGN_IN_THROTTLE,
  throttleRowId,
} from '../helpers/throttle-window.js';

const LIMIT = SIGN_IN_THROTTLE.maxFailures;

/** What a client sees of a refusal, without the request id: to compare two as equal. */
const asSeen = (answer: Answer<unknown>) => {
  const { kind, message, status, retryAfter } = refusalOf(answer);
  return { kind, message, status, retryAfter: retryAfter !== undefined };
};

/**
 * Issue 14, brute force: failed password checks are counted per username in fixed 15-minute
 * windows; past 5, no password of that name is checked until the window ends (429 with
 * Retry-After; GraphQL UNAUTHENTICATED with a reason). A known name and a name nobody holds
 * are answered alike, and a successful login in the common case stays one read.
 */
describe.each(dynamoBackends)('Sign-in throttle on $name', (backend) => {
  let app: AccountsApp;

  beforeAll(async () => {
    app = await startAccountsApp(backend);
  });
  afterAll(() => app?.close());

  /** `LIMIT` wrong passwords for `username`, one after another; their answers. */
  const failLimit = async (api: AccountApi, username: string) => {
    const answers = [];
    for (let i = 0; i < LIMIT; i++) answers.push(await api.login(username, `wrong guess ${i}`));
    return answers;
  };

  describe.each(TRANSPORTS)('through %s', (transport: TransportName) => {
    const api = () => app.api(transport);

    it('after 5 failed logins of a name, the 6th is refused with Retry-After, even with the right password', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'brute');
      const failures = await failLimit(api(), account.username);

      // Act
      const sixth = await api().login(account.username, account.password);

      // Assess: told to wait until the window ends, and no later
      expect(failures.map(outcome)).toEqual(Array<string>(LIMIT).fill('unauthenticated'));
      const refusal = refusalOf(sixth);
      const secondsLeft = currentWindow().endsAtSec - Date.now() / 1000;
      expect(refusal.kind).toBe('rate_limited');
      expect(refusal.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refusal.retryAfter).toBeLessThanOrEqual(Math.ceil(secondsLeft) + 1);
      expect(outcome(await api().login(account.username, 'wrong again'))).toBe('rate_limited');
    });

    it('answers a name nobody holds exactly as a known one, failure after failure', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'known');
      const unknown = `nobody_${randomUUID().slice(0, 8)}`;

      // Act
      const known = [...(await failLimit(api(), account.username)), await api().login(account.username, 'x')];
      const nobody = [...(await failLimit(api(), unknown)), await api().login(unknown, 'x')];

      // Assess
      expect(nobody.map(asSeen)).toEqual(known.map(asSeen));
      expect(nobody.map(outcome)).toEqual([...Array<string>(LIMIT).fill('unauthenticated'), 'rate_limited']);
    });

    it('counts per name: another name (and another case of the same one) is not another name', async () => {
      // Prepare
      await awayFromWindowEdge();
      const target = await app.signUp(api(), 'target');
      const bystander = await app.signUp(api(), 'bystander');
      await failLimit(api(), target.username.toUpperCase());

      // Act
      const answers = [
        await api().login(target.username, target.password),
        await api().login(bystander.username, bystander.password),
      ];

      // Assess
      expect(answers.map(outcome)).toEqual(['rate_limited', 'ok']);
    });

    it('checks the password again once the window has ended (the row’s window moved into the past)', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'later');
      const unknown = `nobody_${randomUUID().slice(0, 8)}`;
      await failLimit(api(), account.username);
      await failLimit(api(), unknown);
      const { window } = currentWindow();
      await app.setUserRow(throttleRowId(account.username, true), { fail_window: window - 1 });
      await app.setUserRow(throttleRowId(unknown, false), { fail_window: window - 1 });

      // Act
      const answers = [
        await api().login(account.username, account.password),
        await api().login(unknown, 'x'),
      ];

      // Assess
      expect(answers.map(outcome)).toEqual(['ok', 'unauthenticated']);
    });

    it('forgets the failures of a window once the password is proved', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'forget');
      for (let i = 0; i < LIMIT - 1; i++) await api().login(account.username, `typo ${i}`);
      await api().login(account.username, account.password);
      for (let i = 0; i < LIMIT - 1; i++) await api().login(account.username, `typo again ${i}`);

      // Act
      const answer = await api().login(account.username, account.password);

      // Assess
      expect(outcome(answer)).toBe('ok');
    });

    it('keeps a successful login at one GetItem (and a write only when failures are to forget)', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'oneread');
      const other = await app.signUp(api(), 'typist');
      await api().login(other.username, 'a typo');

      // Act
      app.calls.reset();
      await api().login(account.username, account.password);
      const common = app.calls.operations();
      app.calls.reset();
      await api().login(other.username, other.password);
      const afterTypo = app.calls.operations();

      // Assess
      expect(common).toEqual(['GetItem']);
      expect(afterTypo).toEqual(['GetItem', 'UpdateItem']);
    });

    it('counts wrong passwords of an account deletion too', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'nodelete');
      for (let i = 0; i < LIMIT; i++) await api().deleteAccount(account.pair.accessToken, `guess ${i}`);

      // Act
      const answer = await api().login(account.username, account.password);

      // Assess
      expect(outcome(answer)).toBe('rate_limited');
    });
  });

  describe('REST answer', () => {
    it('is a 429 with a Retry-After in seconds and the error body', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(app.api('REST'), 'rest429');
      await failLimit(app.api('REST'), account.username);

      // Act (the client checks the answer against /openapi.json too)
      const response = await app.rest.request('POST', '/user/login', {
        json: { username: account.username, password: account.password },
      });

      // Assess
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      expect(response.body).toEqual({
        detail: 'Too many failed attempts for this account; try again later',
        request_id: expect.any(String),
      });
    });

    it('is the same for the OAuth2 password form', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(app.api('REST'), 'form429');
      await failLimit(app.api('REST'), account.username);

      // Act
      const response = await app.rest.request('POST', '/user/login/', {
        body: new URLSearchParams({ username: account.username, password: account.password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

      // Assess
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    });
  });

  describe('GraphQL answer', () => {
    it('is UNAUTHENTICATED with reason TOO_MANY_FAILED_ATTEMPTS, retryAfterSeconds and a Retry-After header', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(app.api('GraphQL'), 'gql429');
      await failLimit(app.api('GraphQL'), account.username);

      // Act
      const response = await app.graphql(
        'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
        { variables: { input: { username: account.username, password: account.password } } },
      );

      // Assess
      const error = response.body.errors?.[0];
      expect(response.body.data ?? null).toBeNull();
      expect(error?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'TOO_MANY_FAILED_ATTEMPTS',
        retryAfterSeconds: expect.any(Number),
      });
      expect(response.headers['retry-after']).toBe(String(error?.extensions?.retryAfterSeconds));
    });
  });

  describe('Clock: the window, with the domain’s clock set', () => {
    // Windows are counted from the epoch; this one starts at 2030-01-01T00:00:00Z and ends 15 minutes later.
    const WINDOW_START = Date.UTC(2030, 0, 1);
    const WINDOW_END = WINDOW_START + SIGN_IN_THROTTLE.windowSeconds * 1000;
    const PASSWORD = 'correct horse battery';

    it.each([
      ['a known name', true],
      ['a name nobody holds', false],
    ])(
      'refuses %s until the very end of the window, then checks the password again',
      async (_case, known) => {
        // Prepare: five failures five minutes into the window
        let now = WINDOW_START + 5 * 60_000;
        const accounts = () => servicesAt(app.storage, () => now).accounts;
        const username = `clock_${randomUUID().slice(0, 8)}`;
        if (known) await accounts().register({ username, password: PASSWORD });
        for (let i = 0; i < LIMIT; i++) {
          await rejection(accounts().login({ username, password: `wrong ${i}` }), UnauthenticatedError);
        }

        // Act
        const atOnce = await rejection(accounts().login({ username, password: PASSWORD }), RateLimitedError);
        now = WINDOW_END - 1_000;
        const lastSecond = await rejection(
          accounts().login({ username, password: PASSWORD }),
          RateLimitedError,
        );
        now = WINDOW_END;
        const next = accounts().login({ username, password: known ? PASSWORD : 'still wrong' });

        // Assess
        expect(atOnce.retryAfterSeconds).toBe(10 * 60);
        expect(lastSecond.retryAfterSeconds).toBe(1);
        if (known) expect((await next).user.username).toBe(username);
        else await rejection(next, UnauthenticatedError);
      },
    );

    it('does not add up failures of two windows', async () => {
      // Prepare: four failures in the last minute of a window, four in the first of the next
      let now = WINDOW_END - 60_000;
      const accounts = () => servicesAt(app.storage, () => now).accounts;
      const username = `clock_${randomUUID().slice(0, 8)}`;
      await accounts().register({ username, password: PASSWORD });
      const fail = async () => {
        for (let i = 0; i < LIMIT - 1; i++) {
          await rejection(accounts().login({ username, password: `wrong ${i}` }), UnauthenticatedError);
        }
      };
      await fail();
      now = WINDOW_END + 1_000;
      await fail();

      // Act
      const signedIn = await accounts().login({ username, password: PASSWORD });

      // Assess
      expect(signedIn.user.username).toBe(username);
    });
  });
});

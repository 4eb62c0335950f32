import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  outcome,
  pairOf,
  refusalOf,
  TRANSPORTS,
  type Answer,
  type TransportName,
} from '../helpers/account-api.js';
import { startAccountsApp, type AccountsApp, type AppInstance } from '../helpers/accounts-app.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { loseFirstResponses } from '../helpers/lost-responses.js';
import { awayFromWindowEdge, SIGN_IN_THROTTLE } from '../helpers/throttle-window.js';

const NEW_PASSWORD = 'a brand new passphrase';

/** What a client sees of a refusal, whichever API: to compare two refusals as equal. */
const asSeen = (answer: Answer<unknown>) => {
  const { kind, message, status, headers } = refusalOf(answer);
  return { kind, message, status, wwwAuthenticate: headers['www-authenticate'] };
};

/**
 * Issue 14, changing the password: the current one is checked as a login's (same answer when
 * wrong, counted by the throttle), the new one follows the registration rules, every refresh
 * token of the user dies and a new pair is answered for this device.
 */
describe.each(dynamoBackends)('Password change on $name', (backend) => {
  let app: AccountsApp;
  /** The same tables served at a higher bcrypt cost, as after raising BCRYPT_COST. */
  let costlier: AppInstance;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    app = await startAccountsApp(backend);
    costlier = await app.startAnother({ BCRYPT_COST: '5' });
  });
  afterAll(() => app?.close());
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  describe.each(TRANSPORTS)('through %s', (transport: TransportName) => {
    const api = () => app.api(transport);

    it('answers a new pair; the old password and every old refresh token fail, the new password logs in', async () => {
      // Prepare: three devices, one of which has rotated
      const account = await app.signUp(api(), 'change');
      const second = pairOf(await api().login(account.username, account.password));
      const third = pairOf(
        await api().refresh(pairOf(await api().login(account.username, account.password)).refreshToken),
      );
      app.calls.reset();

      // Act
      const changed = await api().changePassword(account.pair.accessToken, account.password, NEW_PASSWORD);

      // Assess: the user, the credentials, one write
      const pair = pairOf(changed);
      expect(app.calls.operations()).toEqual(['GetItem', 'GetItem', 'UpdateItem']);
      expect(outcome(await api().login(account.username, account.password))).toBe('unauthenticated');
      expect(outcome(await api().login(account.username, NEW_PASSWORD))).toBe('ok');
      const oldRefreshes = await Promise.all(
        [account.pair, second, third].map((old) => api().refresh(old.refreshToken)),
      );
      expect(oldRefreshes.map(outcome)).toEqual(['unauthenticated', 'unauthenticated', 'unauthenticated']);
      expect(await api().me(pair.accessToken)).toEqual({
        ok: true,
        value: { id: account.id, username: account.username },
      });
      expect(outcome(await api().refresh(pair.refreshToken))).toBe('ok');
    });

    it('answers a wrong current password exactly as a wrong login, and changes nothing', async () => {
      // Prepare
      const account = await app.signUp(api(), 'wrongcur');
      const wrongLogin = await api().login(account.username, 'not the password');

      // Act
      const answer = await api().changePassword(account.pair.accessToken, 'not the password', NEW_PASSWORD);

      // Assess
      expect(asSeen(answer)).toEqual(asSeen(wrongLogin));
      expect(asSeen(answer)).toMatchObject({ kind: 'unauthenticated', message: 'Invalid credentials' });
      expect(outcome(await api().login(account.username, account.password))).toBe('ok');
      expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('ok');
    });

    it('counts wrong current passwords toward the throttle: after 5, even the right password is refused', async () => {
      // Prepare
      await awayFromWindowEdge();
      const account = await app.signUp(api(), 'guess');
      const guesses = [];
      for (let i = 0; i < SIGN_IN_THROTTLE.maxFailures; i++) {
        guesses.push(await api().changePassword(account.pair.accessToken, `guess ${i}`, NEW_PASSWORD));
      }

      // Act
      const login = await api().login(account.username, account.password);
      const change = await api().changePassword(account.pair.accessToken, account.password, NEW_PASSWORD);

      // Assess
      expect(guesses.map(outcome)).toEqual(
        Array<string>(SIGN_IN_THROTTLE.maxFailures).fill('unauthenticated'),
      );
      expect(refusalOf(login)).toMatchObject({ kind: 'rate_limited', retryAfter: expect.any(Number) });
      expect(refusalOf(change).kind).toBe('rate_limited');
    });

    it.each([
      ['shorter than 6 characters', 'short'],
      ['over 72 bytes of UTF-8', 'é'.repeat(37)],
    ])('refuses a new password %s, as registration does, and changes nothing', async (_case, newPassword) => {
      // Prepare
      const account = await app.signUp(api(), 'rules');

      // Act
      const answer = await api().changePassword(account.pair.accessToken, account.password, newPassword);

      // Assess
      expect(refusalOf(answer).kind).toBe('invalid');
      expect(outcome(await api().login(account.username, account.password))).toBe('ok');
      expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('ok');
    });

    it('requires an access token', async () => {
      // Act
      const answer = await api().changePassword('', 'whatever', NEW_PASSWORD);

      // Assess
      expect(refusalOf(answer).kind).toBe('unauthenticated');
    });

    it('answers a pair that works when the answer of its write was lost and the SDK retried', async () => {
      // Prepare
      const account = await app.signUp(api(), 'lostpw');
      const lost = loseFirstResponses(app.client, {
        when: (operation, input) => operation === 'UpdateItem' && input.TableName === app.tables.users,
      });
      cleanups.push(lost.remove);

      // Act
      const answer = await api().changePassword(account.pair.accessToken, account.password, NEW_PASSWORD);
      lost.remove();

      // Assess
      expect(lost.lost()).toBe(1);
      const pair = pairOf(answer);
      expect(outcome(await api().refresh(pair.refreshToken))).toBe('ok');
      expect(outcome(await api().login(account.username, NEW_PASSWORD))).toBe('ok');
      expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('unauthenticated');
    });

    it('changes the password of an account whose hash is below today’s cost (raised since it registered)', async () => {
      // Prepare: registered at cost 4, served now at cost 5 (checking the password rehashes it)
      const account = await app.signUp(api(), 'oldcost');

      // Act
      const answer = await costlier
        .api(transport)
        .changePassword(account.pair.accessToken, account.password, NEW_PASSWORD);

      // Assess
      expect(outcome(answer)).toBe('ok');
      expect(outcome(await api().login(account.username, NEW_PASSWORD))).toBe('ok');
    });
  });
});

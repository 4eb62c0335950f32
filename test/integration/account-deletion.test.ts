import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outcome, pairOf, refusalOf, TRANSPORTS, type TransportName } from '../helpers/account-api.js';
import { startAccountsApp, type AccountsApp, type TestAccount } from '../helpers/accounts-app.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { awsError, injectFault } from '../helpers/dynamodb-recorder.js';
import { loseFirstResponses } from '../helpers/lost-responses.js';
import { gateCalls } from '../helpers/call-gate.js';
import { throttleRowId } from '../helpers/throttle-window.js';
import { deletionReceiptId } from '../../src/storage/records.js';

/** The marshalled key of a request (`{id: {S: ...}}`), as the faults see requests. */
const keyOf = (input: Record<string, unknown>) =>
  (input.Key as { id?: { S?: string } } | undefined)?.id?.S ?? '';

/**
 * Issue 14, deleting the account: every item, every sign-in, the user record and then the name
 * go; nothing of the user stays in either table (a receipt keyed by a digest of the id holds
 * nothing of it); an interrupted deletion completes when the same request is sent again, and a
 * repeat after it completed answers as it did. While it runs, the account signs in no more.
 */
describe.each(dynamoBackends)('Account deletion on $name', (backend) => {
  let app: AccountsApp;
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    app = await startAccountsApp(backend);
  });
  afterAll(() => app?.close());
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** Every row, in either table, that mentions the account's id or name (in any case). */
  const leftOf = (account: TestAccount) => app.rowsMentioning(account.id, account.username);

  describe.each(TRANSPORTS)('through %s', (transport: TransportName) => {
    const api = () => app.api(transport);

    /** An account with sign-in sessions in every state: rotated, signed out, untouched. */
    const accountWithSessions = async (prefix: string) => {
      const account = await app.signUp(api(), prefix);
      const rotated = pairOf(
        await api().refresh(pairOf(await api().login(account.username, account.password)).refreshToken),
      );
      await api().logout(pairOf(await api().login(account.username, account.password)).refreshToken);
      return { account, rotated };
    };

    it('deletes an account with 2 500 items: no row of the user is left in either table, and the name is free', async () => {
      // Prepare
      const { account, rotated } = await accountWithSessions('big');
      await app.seedItems(account.id, 2_500);
      app.calls.reset();

      // Act
      const answer = await api().deleteAccount(account.pair.accessToken, account.password);

      // Assess: items deleted 25 at a time; then nothing left anywhere
      expect(answer).toEqual({ ok: true, value: true });
      const itemBatches = app.calls.calls
        .slice(-app.calls.operations().length)
        .filter((call) => call.operation === 'BatchWriteItem' && call.tables.includes(app.tables.items));
      expect(itemBatches).toHaveLength(100);
      expect(await leftOf(account)).toEqual([]);
      expect(outcome(await api().refresh(rotated.refreshToken))).toBe('unauthenticated');
      expect(outcome(await api().login(account.username, account.password))).toBe('unauthenticated');
      // The access token still verifies (no call), but its account is gone
      expect(outcome(await api().me(account.pair.accessToken))).toBe('not_found');
      expect(outcome(await api().logoutAll(account.pair.accessToken))).toBe('not_found');
      const again = pairOf(await api().register(account.username.toUpperCase(), 'another password'));
      expect(outcome(await api().me(again.accessToken))).toBe('ok');
    });

    it('completes on retry when interrupted after the first batch of item deletes; meanwhile no sign-in', async () => {
      // Prepare: every BatchWriteItem on the items table after the first one fails (retries too)
      const { account, rotated } = await accountWithSessions('cut');
      await app.seedItems(account.id, 200);
      let batches = 0;
      const removeFault = injectFault(app.client, ({ operation, input }) => {
        const items = Object.keys((input.RequestItems as object | undefined) ?? {}).includes(
          app.tables.items,
        );
        return operation === 'BatchWriteItem' && items && ++batches > 1
          ? awsError('InternalServerError', 500)
          : undefined;
      });
      cleanups.push(removeFault);

      // Act
      const interrupted = await api().deleteAccount(account.pair.accessToken, account.password);
      const duringLogin = await api().login(account.username, account.password);
      const duringRefresh = await api().refresh(rotated.refreshToken);
      const left = (await app.itemRowsOf(account.id)).length;
      removeFault();
      const retried = await api().deleteAccount(account.pair.accessToken, account.password);

      // Assess
      expect(refusalOf(interrupted)).toMatchObject({ kind: 'unavailable', retryAfter: expect.any(Number) });
      expect([outcome(duringLogin), outcome(duringRefresh)]).toEqual(['unauthenticated', 'unauthenticated']);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(200);
      expect(outcome(retried)).toBe('ok');
      expect(await leftOf(account)).toEqual([]);
      expect(outcome(await api().deleteAccount(account.pair.accessToken, account.password))).toBe('ok');
      expect(outcome(await api().register(account.username, account.password))).toBe('ok');
    });

    it('completes on retry when the credentials could not be deleted (the user record already gone)', async () => {
      // Prepare: the credentials' delete fails, retries too
      const { account, rotated } = await accountWithSessions('last');
      await app.seedItems(account.id, 30);
      const removeFault = injectFault(app.client, ({ operation, input }) =>
        operation === 'DeleteItem' && keyOf(input).startsWith('username#')
          ? awsError('InternalServerError', 500)
          : undefined,
      );
      cleanups.push(removeFault);

      // Act
      const interrupted = await api().deleteAccount(account.pair.accessToken, account.password);
      const userRecord = await app.userRow(account.id);
      const duringLogin = await api().login(account.username, account.password);
      const duringRefresh = await api().refresh(rotated.refreshToken);
      const duringRegister = await api().register(account.username, 'someone else');
      removeFault();
      const retried = await api().deleteAccount(account.pair.accessToken, account.password);

      // Assess: the name stayed taken until nothing else was left
      expect(refusalOf(interrupted).kind).toBe('unavailable');
      expect(userRecord).toBeUndefined();
      expect([outcome(duringLogin), outcome(duringRefresh)]).toEqual(['unauthenticated', 'unauthenticated']);
      expect(outcome(duringRegister)).toBe('conflict');
      expect(outcome(retried)).toBe('ok');
      expect(await leftOf(account)).toEqual([]);
      expect(outcome(await api().deleteAccount(account.pair.accessToken, account.password))).toBe('ok');
      expect(outcome(await api().register(account.username, account.password))).toBe('ok');
    });

    it('completes when the answers of its writes are lost and the SDK retried them', async () => {
      // Prepare
      const { account } = await accountWithSessions('lostdel');
      await app.seedItems(account.id, 60);
      const writes = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
      const lost = loseFirstResponses(app.client, { when: (operation) => writes.has(operation) });
      cleanups.push(lost.remove);

      // Act
      const answer = await api().deleteAccount(account.pair.accessToken, account.password);
      lost.remove();

      // Assess
      expect(lost.lost()).toBeGreaterThan(3);
      expect(outcome(answer)).toBe('ok');
      expect(await leftOf(account)).toEqual([]);
    });

    it('answers 204 to both of two deletions sent at once, when the second starts after the first removed the name', async () => {
      // Prepare: the second deletion's first write waits until the first has deleted the credentials
      const account = await app.signUp(api(), 'twice');
      await app.seedItems(account.id, 30);
      let updates = 0;
      const remove = gateCalls(app.client, {
        hold: (operation) => operation === 'UpdateItem' && ++updates === 2,
        releaseAfter: (operation) => operation === 'DeleteItem',
      });
      cleanups.push(remove);

      // Act
      const answers = await Promise.all([
        api().deleteAccount(account.pair.accessToken, account.password),
        api().deleteAccount(account.pair.accessToken, account.password),
      ]);
      remove();

      // Assess
      expect(answers.map(outcome)).toEqual(['ok', 'ok']);
      expect(await leftOf(account)).toEqual([]);
      expect(outcome(await api().register(account.username, account.password))).toBe('ok');
    });

    it('refuses a wrong password as a wrong login, and deletes nothing', async () => {
      // Prepare
      const account = await app.signUp(api(), 'keep');
      await app.seedItems(account.id, 3);

      // Act
      const answer = await api().deleteAccount(account.pair.accessToken, 'not the password');

      // Assess
      expect(refusalOf(answer)).toMatchObject({ kind: 'unauthenticated', message: 'Invalid credentials' });
      expect(await app.itemRowsOf(account.id)).toHaveLength(3);
      expect(outcome(await api().login(account.username, account.password))).toBe('ok');
      expect(outcome(await api().refresh(account.pair.refreshToken))).toBe('ok');
    });

    it('requires an access token', async () => {
      // Act
      const answer = await api().deleteAccount('', 'whatever');

      // Assess
      expect(refusalOf(answer).kind).toBe('unauthenticated');
    });

    it('deletes the items copied from the old service too (dated from their ids by the migration)', async () => {
      // Prepare
      const account = await app.signUp(api(), 'oldrows');
      await app.seedItems(account.id, 20);
      await app.seedItems(account.id, 5, 'migrated');

      // Act
      const answer = await api().deleteAccount(account.pair.accessToken, account.password);

      // Assess
      expect(outcome(answer)).toBe('ok');
      expect(await leftOf(account)).toEqual([]);
    });

    it('sweeps, when the deletion is sent again, items created meanwhile with an access token issued before it', async () => {
      // Prepare: access tokens are never looked up (zero calls), so one issued before the
      // deletion keeps writing until it expires; a device still holding it creates an item
      const account = await app.signUp(api(), 'orphan');
      expect(outcome(await api().deleteAccount(account.pair.accessToken, account.password))).toBe('ok');
      if (transport === 'REST') {
        await app.rest.request('POST', '/item/', {
          token: account.pair.accessToken,
          json: { name: 'orphan' },
        });
      } else {
        await app.graphql('mutation { createItem(input: { name: "orphan" }) { id } }', {
          token: account.pair.accessToken,
        });
      }
      expect(await app.itemRowsOf(account.id)).toHaveLength(1);

      // Act: the same deletion again
      const again = await api().deleteAccount(account.pair.accessToken, account.password);

      // Assess
      expect(outcome(again)).toBe('ok');
      expect(await leftOf(account)).toEqual([]);
    });

    it('completes on retry after the name, whose lease ran out, was registered again meanwhile', async () => {
      // Prepare: interrupted at the credentials; the name's lease then runs out and someone registers it
      const account = await app.signUp(api(), 'taken');
      const removeFault = injectFault(app.client, ({ operation, input }) =>
        operation === 'DeleteItem' && keyOf(input).startsWith('username#')
          ? awsError('InternalServerError', 500)
          : undefined,
      );
      cleanups.push(removeFault);
      refusalOf(await api().deleteAccount(account.pair.accessToken, account.password));
      removeFault();
      await app.setUserRow(throttleRowId(account.username, true), { claimed_at: 0 });
      const newcomer = pairOf(await api().register(account.username, 'the newcomer password'));

      // Act: the first owner sends its deletion again
      const retried = await api().deleteAccount(account.pair.accessToken, account.password);

      // Assess: done for the first owner; the newcomer's account untouched, not even a failure counted
      expect.soft(outcome(retried)).toBe('ok');
      expect.soft(await app.userRow(deletionReceiptId(account.id))).not.toHaveProperty('pending_credentials');
      expect.soft(await app.userRow(throttleRowId(account.username, true))).not.toHaveProperty('fail_count');
      expect(outcome(await api().me(newcomer.accessToken))).toBe('ok');
    });

    it('leaves nothing of the account behind when a device signs out after the deletion', async () => {
      // Prepare
      const { account, rotated } = await accountWithSessions('late');
      pairOf(await api().refresh(rotated.refreshToken));
      const untouched = pairOf(await api().login(account.username, account.password));
      await api().deleteAccount(account.pair.accessToken, account.password);

      // Act: the devices still holding refresh tokens sign out
      const answers = [await api().logout(untouched.refreshToken), await api().logout(rotated.refreshToken)];

      // Assess: whatever they are answered, no row of the user comes back
      expect(answers.map(outcome)).not.toContain('unexpected');
      expect(await leftOf(account)).toEqual([]);
    });
  });
});

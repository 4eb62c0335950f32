import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../../src/domain/errors.js';
import { JwtTokens } from '../../src/auth/tokens.js';
import { DEFAULT_REGISTRATION_LEASE_MS } from '../../src/storage/user-repository.js';
import { servicesAt as servicesAtClock } from '../helpers/clocked-services.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import { awsError, injectFault } from '../helpers/dynamodb-recorder.js';
import {
  rejection,
  startDataLayer,
  undeclaredActions,
  TEST_PASSWORD,
  TEST_SIGNING_KEY,
  type DataLayer,
} from '../helpers/data-layer.js';

describe.each(dynamoBackends)('Accounts on $name', (backend) => {
  let db: DataLayer;
  beforeAll(async () => {
    db = await startDataLayer(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  const unique = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 8)}`;

  describe('Method: register', () => {
    it('creates the account and returns a token that authenticates it', async () => {
      // Prepare
      const username = unique('Alice_');

      // Act
      const { user, token } = await db
        .request()
        .services.accounts.register({ username, password: TEST_PASSWORD });

      // Assess
      expect(user).toEqual({ id: expect.any(String), username, createdAt: expect.any(String) });
      expect(token.tokenType).toBe('bearer');
      const ctx = db.request(token.accessToken);
      expect(ctx.caller()).toEqual({ userId: user.id });
      expect(await ctx.services.accounts.me(ctx.caller())).toEqual(user);
    });

    it('stores the NFKC form of the name', async () => {
      // Prepare: fullwidth letters are compatibility characters for ASCII ones
      const suffix = unique('');

      // Act
      const { user } = await db
        .request()
        .services.accounts.register({ username: `ｆｕｌｌ${suffix}`, password: TEST_PASSWORD });

      // Assess
      expect(user.username).toBe(`full${suffix}`);
    });

    it('refuses a name taken in another case', async () => {
      // Prepare
      const username = unique('Bob');
      await db.request().services.accounts.register({ username, password: TEST_PASSWORD });

      // Act
      const error = await rejection(
        db
          .request()
          .services.accounts.register({ username: username.toUpperCase(), password: 'other password' }),
        ConflictError,
      );

      // Assess
      expect(error.message).toBe('Username already registered');
    });

    it('gives exactly one account to 25 concurrent registrations of one name in mixed case', async () => {
      // Prepare
      const name = unique('racer');
      const spellings = Array.from({ length: 25 }, (_, i) =>
        [...name].map((c, j) => ((i >> (j % 5)) & 1 ? c.toUpperCase() : c)).join(''),
      );

      // Act
      const results = await Promise.allSettled(
        spellings.map((username, i) =>
          db.request().services.accounts.register({ username, password: `password-${i}` }),
        ),
      );

      // Assess
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ ...r.value, i }] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(24);
      for (const reason of lost) expect(reason).toBeInstanceOf(ConflictError);
      const { Items = [] } = await db.inspect.send(new ScanCommand({ TableName: db.tables.users }));
      const accounts = Items.filter(
        (row) => typeof row.username === 'string' && row.username.toLowerCase() === name,
      );
      expect(accounts).toHaveLength(1);
      const winner = won[0]!;
      const login = await db
        .request()
        .services.accounts.login({ username: name, password: `password-${winner.i}` });
      expect(login.user.id).toBe(winner.user.id);
    });

    it.each([
      [{ password: TEST_PASSWORD }, ['username'], 'missing'],
      [{ username: 42, password: TEST_PASSWORD }, ['username'], 'string_type'],
      [{ username: 'ab', password: TEST_PASSWORD }, ['username'], 'string_too_short'],
      [{ username: 'a'.repeat(51), password: TEST_PASSWORD }, ['username'], 'string_too_long'],
      [{ username: 'has space', password: TEST_PASSWORD }, ['username'], 'string_pattern_mismatch'],
      [{ username: 'valid_name' }, ['password'], 'missing'],
      [{ username: 'valid_name', password: '12345' }, ['password'], 'string_too_short'],
      [{ username: 'valid_name', password: 'é'.repeat(37) }, ['password'], 'string_too_long'],
    ])('refuses %j with a %s issue of type %s, writing nothing', async (input, path, type) => {
      // Prepare
      db.recorder.reset();

      // Act
      const error = await rejection(
        db.request().services.accounts.register(input as { username: unknown; password: unknown }),
        ValidationError,
      );

      // Assess
      expect(error.issues).toEqual([{ path, message: expect.any(String), type }]);
      expect(db.recorder.operations()).toEqual([]);
    });
  });

  describe('Method: login', () => {
    it('exchanges the right password for a token, whatever the case of the name', async () => {
      // Prepare
      const username = unique('Carol');
      const registered = await db.request().services.accounts.register({ username, password: TEST_PASSWORD });

      // Act
      const { user, token } = await db
        .request()
        .services.accounts.login({ username: username.toLowerCase(), password: TEST_PASSWORD });

      // Assess
      expect(user).toEqual(registered.user);
      expect(db.request(token.accessToken).caller()).toEqual({ userId: user.id });
    });

    it.each([
      ['a wrong password', (name: string) => ({ username: name, password: 'wrong password' })],
      ['an unknown user', () => ({ username: unique('nobody'), password: TEST_PASSWORD })],
      [
        'a password over 72 bytes that starts with the right one',
        (name: string) => ({ username: name, password: TEST_PASSWORD.padEnd(80, 'x') }),
      ],
    ])('answers the same UnauthenticatedError for %s', async (_, credentials) => {
      // Prepare
      const username = unique('Dave');
      await db.request().services.accounts.register({ username, password: TEST_PASSWORD.padEnd(72, 'x') });

      // Act
      const error = await rejection(
        db.request().services.accounts.login(credentials(username)),
        UnauthenticatedError,
      );

      // Assess
      expect(error.message).toBe('Invalid credentials');
    });

    it('refuses a missing password as a validation error', async () => {
      const error = await rejection(
        db.request().services.accounts.login({ username: 'someone', password: undefined }),
        ValidationError,
      );
      expect(error.issues).toEqual([{ path: ['password'], message: 'Field required', type: 'missing' }]);
    });
  });

  describe('Method: caller', () => {
    it.each([
      ['no token', undefined],
      ['a malformed token', 'not-a-jwt'],
      [
        'a token signed with another key',
        new JwtTokens({
          signingKey: 'another-key-another-key-another-key!',
          issuer: 'test-issuer',
          audience: 'test-audience',
          ttlMinutes: 5,
        }).issue('someone').accessToken,
      ],
      [
        'a token for another audience',
        new JwtTokens({
          signingKey: TEST_SIGNING_KEY,
          issuer: 'test-issuer',
          audience: 'elsewhere',
          ttlMinutes: 5,
        }).issue('someone').accessToken,
      ],
    ])('throws UnauthenticatedError for %s', (_, token) => {
      expect(() => db.request(token).caller()).toThrow(UnauthenticatedError);
    });
  });

  describe('Method: me', () => {
    it('is NotFoundError for a valid token whose user does not exist', async () => {
      const token = new JwtTokens({
        signingKey: TEST_SIGNING_KEY,
        issuer: 'test-issuer',
        audience: 'test-audience',
        ttlMinutes: 5,
      }).issue('no-such-user');
      const ctx = db.request(token.accessToken);
      await rejection(ctx.services.accounts.me(ctx.caller()), NotFoundError);
    });
  });

  describe('Interrupted registration', () => {
    const servicesAt = (now: () => number) => servicesAtClock(db, now);

    it('holds the name for the lease, then lets a new registration take it over', async () => {
      // Prepare: the user record's write fails after the name was claimed
      const username = unique('Erin');
      const removeFault = injectFault(db.client, ({ operation, input }) => {
        const id = (input.Item as { id?: { S?: string } } | undefined)?.id?.S ?? '';
        return operation === 'PutItem' && !id.startsWith('username#')
          ? awsError('InternalServerError', 500)
          : undefined;
      });
      await rejection(
        servicesAt(Date.now).accounts.register({ username, password: 'first password' }),
        UnavailableError,
      );
      removeFault();

      // Act
      const duringLease = servicesAt(Date.now).accounts.register({ username, password: 'second password' });
      const afterLease = () =>
        servicesAt(() => Date.now() + DEFAULT_REGISTRATION_LEASE_MS + 1).accounts.register({
          username,
          password: 'second password',
        });

      // Assess
      await rejection(duringLease, ConflictError);
      const { user } = await afterLease();
      const login = await db.request().services.accounts.login({ username, password: 'second password' });
      expect(login.user.id).toBe(user.id);
      await rejection(
        db.request().services.accounts.login({ username, password: 'first password' }),
        UnauthenticatedError,
      );
      const ctx = db.request(login.token.accessToken);
      expect(await ctx.services.accounts.me(ctx.caller())).toEqual(user);
    });

    it('never takes over the name of a completed registration, however old', async () => {
      // Prepare
      const username = unique('Frank');
      await db.request().services.accounts.register({ username, password: TEST_PASSWORD });

      // Act
      const late = servicesAt(() => Date.now() + 10 * DEFAULT_REGISTRATION_LEASE_MS).accounts.register({
        username,
        password: 'hijack attempt',
      });

      // Assess
      await rejection(late, ConflictError);
      const login = await db.request().services.accounts.login({ username, password: TEST_PASSWORD });
      expect(login.user.username).toBe(username);
    });
  });

  it('sent only the DynamoDB actions that DYNAMODB_ACTIONS grants', () => {
    expect(db.allCalls.length).toBeGreaterThan(0);
    expect(undeclaredActions(db)).toEqual([]);
  });
});

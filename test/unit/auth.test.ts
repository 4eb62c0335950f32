import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { BcryptPasswordHasher } from '../../src/auth/password-hasher.js';
import { bearerToken, JwtTokens } from '../../src/auth/tokens.js';
import { UnauthenticatedError, ValidationError } from '../../src/domain/errors.js';
import { PageCursors } from '../../src/storage/page-cursor.js';

const KEY = 'unit-test-signing-key-of-at-least-32-bytes!';
const settings = { signingKey: KEY, issuer: 'iss', audience: 'aud', ttlMinutes: 30 };

describe('Class: JwtTokens', () => {
  const tokens = new JwtTokens(settings);

  it('issues an HS256 token with sub, iat, exp, iss and aud that authenticates its user', () => {
    const token = tokens.issue('user-1');
    const claims = jwt.decode(token.accessToken, { complete: true });
    expect(claims?.header.alg).toBe('HS256');
    expect(claims?.payload).toMatchObject({ sub: 'user-1', iss: 'iss', aud: 'aud', iat: expect.any(Number) });
    const { exp, iat } = claims?.payload as { exp: number; iat: number };
    expect(exp - iat).toBe(30 * 60);
    expect(token.expiresAt).toBe(new Date(exp * 1000).toISOString());
    expect(tokens.authenticate(token.accessToken)).toEqual({ userId: 'user-1' });
  });

  it.each([
    ['missing', undefined],
    [
      'unsigned (alg none)',
      jwt.sign({ sub: 'u', iss: 'iss', aud: 'aud', exp: 9_999_999_999 }, '', { algorithm: 'none' }),
    ],
    ['without exp', jwt.sign({ sub: 'u' }, KEY, { algorithm: 'HS256', issuer: 'iss', audience: 'aud' })],
    ['without sub', jwt.sign({}, KEY, { algorithm: 'HS256', issuer: 'iss', audience: 'aud', expiresIn: 60 })],
    [
      'expired',
      jwt.sign({ sub: 'u', exp: Math.floor(Date.now() / 1000) - 10 }, KEY, {
        algorithm: 'HS256',
        issuer: 'iss',
        audience: 'aud',
      }),
    ],
    [
      'without iat',
      jwt.sign({ sub: 'u' }, KEY, {
        algorithm: 'HS256',
        issuer: 'iss',
        audience: 'aud',
        expiresIn: 60,
        noTimestamp: true,
      }),
    ],
    [
      'issued in the future',
      jwt.sign({ sub: 'u', iat: Math.floor(Date.now() / 1000) + 3600 }, KEY, {
        algorithm: 'HS256',
        issuer: 'iss',
        audience: 'aud',
        expiresIn: 7200,
      }),
    ],
    [
      'from another issuer',
      jwt.sign({ sub: 'u' }, KEY, { algorithm: 'HS256', issuer: 'other', audience: 'aud', expiresIn: 60 }),
    ],
    [
      'signed with HS512',
      jwt.sign({ sub: 'u' }, KEY, { algorithm: 'HS512', issuer: 'iss', audience: 'aud', expiresIn: 60 }),
    ],
  ])('refuses a token that is %s', (_, token) => {
    expect(() => tokens.authenticate(token)).toThrow(UnauthenticatedError);
  });

  it('reads the token from a Bearer header only', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('Class: BcryptPasswordHasher', () => {
  const hasher = new BcryptPasswordHasher(4);

  it('verifies the password it hashed, with the configured cost', async () => {
    const hash = await hasher.hash('secret password');
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    expect(await hasher.verify('secret password', hash)).toBe(true);
    expect(await hasher.verify('other password', hash)).toBe(false);
  });

  it('refuses to hash a password bcrypt would truncate', async () => {
    await expect(hasher.hash('x'.repeat(73))).rejects.toThrow(RangeError);
  });

  it('never accepts a password over 72 bytes, even if its first 72 match', async () => {
    const hash = await hasher.hash('x'.repeat(72));
    expect(await hasher.verify('x'.repeat(80), hash)).toBe(false);
  });

  it('answers false for an unknown user after comparing against its decoy hash', async () => {
    expect(await hasher.verify('anything', null)).toBe(false);
  });
});

describe('Class: PageCursors', () => {
  const cursors = new PageCursors(KEY);
  const position = { id: 'item-1', createdAt: '2025-01-01T00:00:00.000Z' };

  it('opens what it sealed for the same owner', () => {
    expect(cursors.open('owner-a', cursors.seal('owner-a', position))).toEqual(position);
  });

  it.each([
    ['another owner', (c: string) => ['owner-b', c]],
    ['a flipped MAC', (c: string) => ['owner-a', `${c.slice(0, -1)}${c.endsWith('A') ? 'B' : 'A'}`]],
    ['another key', () => ['owner-a', new PageCursors(`${KEY}-other`).seal('owner-a', position)]],
    ['garbage', () => ['owner-a', '%%%']],
  ])('refuses a cursor for %s', (_, tamper) => {
    const [owner, cursor] = tamper(cursors.seal('owner-a', position)) as [string, string];
    expect(() => cursors.open(owner, cursor)).toThrow(ValidationError);
  });
});

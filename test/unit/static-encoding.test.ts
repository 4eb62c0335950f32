import { describe, expect, it } from 'vitest';
import { chooseEncoding, type ContentEncoding } from '../../src/static/encoding.js';

const BOTH = new Set<ContentEncoding>(['identity', 'br', 'gzip']);
const GZIP_ONLY = new Set<ContentEncoding>(['identity', 'gzip']);
const PLAIN_ONLY = new Set<ContentEncoding>(['identity']);

describe('Function: chooseEncoding', () => {
  it.each([
    { client: 'no header', header: undefined, available: BOTH, expected: 'identity' },
    { client: 'an empty header', header: '', available: BOTH, expected: 'identity' },
    {
      client: 'a browser that takes both',
      header: 'gzip, deflate, br, zstd',
      available: BOTH,
      expected: 'br',
    },
    { client: 'gzip only', header: 'gzip', available: BOTH, expected: 'gzip' },
    { client: 'the old x-gzip name', header: 'x-gzip', available: BOTH, expected: 'gzip' },
    {
      client: 'brotli only, but no brotli variant exists',
      header: 'br',
      available: GZIP_ONLY,
      expected: 'identity',
    },
    { client: 'both, and only gzip exists', header: 'br, gzip', available: GZIP_ONLY, expected: 'gzip' },
    {
      client: 'a higher q-value for gzip',
      header: 'br;q=0.5, gzip;q=0.9',
      available: BOTH,
      expected: 'gzip',
    },
    { client: 'brotli refused with q=0', header: 'br;q=0, gzip', available: BOTH, expected: 'gzip' },
    { client: 'everything refused', header: 'br;q=0, gzip;q=0', available: BOTH, expected: 'identity' },
    { client: 'a wildcard', header: '*', available: BOTH, expected: 'br' },
    {
      client: 'a wildcard with brotli refused',
      header: 'br;q=0, *;q=0.5',
      available: BOTH,
      expected: 'gzip',
    },
    { client: 'identity only', header: 'identity', available: BOTH, expected: 'identity' },
    { client: 'any case and spacing', header: ' GZIP ; Q=1 ', available: BOTH, expected: 'gzip' },
    {
      client: 'compressed variants missing',
      header: 'br, gzip',
      available: PLAIN_ONLY,
      expected: 'identity',
    },
  ] as const)('sends $expected to $client', ({ header, available, expected }) => {
    // Act
    const chosen = chooseEncoding(header, available);

    // Assess
    expect(chosen).toBe(expected);
  });
});

/**
 * Deterministic values for schema fuzzing: the same seed gives the same candidates, so that
 * a failure can be replayed. Strings mix the characters JSON Schema and the service are most
 * likely to read differently (other scripts, compatibility characters, Unicode spaces, astral
 * characters, controls) with lengths clustered around the schema's bounds.
 */
export interface FuzzValues {
  /** A float in [0, 1). */
  next(): number;
  int(min: number, max: number): number;
  pick<T>(choices: readonly T[]): T;
  chance(probability: number): boolean;
  /** A length near one of `bounds` (±2) most of the time, else anywhere in [0, max]. */
  length(bounds: readonly number[], max: number): number;
  /** `length` code points drawn from `pool` (each entry one code point or a short sequence). */
  text(pool: readonly string[], length: number): string;
}

export function fuzzValues(seed: number): FuzzValues {
  let state = seed >>> 0;
  // mulberry32: small, fast, and good enough to spread candidates.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(choices: readonly T[]): T => choices[int(0, choices.length - 1)] as T;
  return {
    next,
    int,
    pick,
    chance: (probability) => next() < probability,
    length: (bounds, max) => (next() < 0.7 ? Math.max(0, pick(bounds) + int(-2, 2)) : int(0, max)),
    text: (pool, length) => Array.from({ length }, () => pick(pool)).join(''),
  };
}

/** Characters for names: ASCII, other scripts, compatibility forms, marks, symbols, astral. */
export const NAME_CHARACTERS: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''),
  '.',
  '_',
  '-',
  'é',
  'ß',
  'ж',
  'Ω',
  '中',
  '한',
  'ק',
  '١',
  'İ',
  'ǅ',
  // Compatibility characters: NFKC changes them (½ → 1⁄2, ﬁ → fi, ｆ → f, ² → 2).
  '½',
  'ﬁ',
  'ｆ',
  '²',
  '𝔘',
  // A combining mark: NFKC composes e + ́ into é.
  '\u0301',
  '😀',
  '@',
  '!',
  ' ',
  '/',
  '\u200b',
  '\u0000',
  '\u0007',
];

/** Whitespace as JavaScript and JSON Schema's `\S` see it, and look-alikes that are not. */
export const SPACE_CHARACTERS: readonly string[] = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\ufeff',
  '\u2028',
];

/** Characters for free text: names' characters, spaces, quotes, and an astral pair. */
export const TEXT_CHARACTERS: readonly string[] = [
  ...NAME_CHARACTERS,
  ...SPACE_CHARACTERS,
  '"',
  '\\',
  '<',
  '\u202e',
  '𐍈',
];

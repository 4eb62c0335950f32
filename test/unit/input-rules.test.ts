import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  createItemInput,
  listItemsInput,
  parseInput,
  passwordRule,
  registerInput,
  usernameKey,
  usernameRule,
} from '../../src/domain/input-rules.js';

describe('Input rules', () => {
  describe('usernameRule', () => {
    it.each(['abc', 'a'.repeat(50), 'john.doe_1-2', 'Zoë', 'Ωμέγα', '名前です'])('accepts %s', (name) => {
      expect(usernameRule.parse(name)).toBe(name.normalize('NFKC'));
    });

    it('counts and checks the NFKC form', () => {
      // "ﬀ" (one character) is "ff" after NFKC; fullwidth "ａ" is "a"
      expect(usernameRule.parse('ﬀa')).toBe('ffa');
      expect(usernameRule.parse('ａｂｃ')).toBe('abc');
    });

    it.each([
      ['ab', 'string_too_short'],
      ['a'.repeat(51), 'string_too_long'],
      ['with space', 'string_pattern_mismatch'],
      ['semi;colon', 'string_pattern_mismatch'],
      ['emoji🙂', 'string_pattern_mismatch'],
    ])('refuses %j as %s', (name, type) => {
      const error = captured(() => parseInput(registerInput, { username: name, password: 'secret1' }));
      expect(error.issues).toEqual([{ path: ['username'], message: expect.any(String), type }]);
    });
  });

  describe('lengths', () => {
    // U+20000 is one CJK letter and one character, but two UTF-16 units in JavaScript.
    const wide = '\u{20000}';
    const emoji = '\u{1F642}';

    it('counts characters, not UTF-16 units, as the old service did', () => {
      expect(usernameRule.parse(wide.repeat(50))).toBe(wide.repeat(50));
      expect(
        parseInput(createItemInput, { name: emoji.repeat(200), description: emoji.repeat(2000) }),
      ).toEqual({
        name: emoji.repeat(200),
        description: emoji.repeat(2000),
      });
    });

    it.each([
      ['username', { username: wide.repeat(51), password: 'secret1' }, registerInput, 'string_too_long'],
      ['username', { username: wide.repeat(2), password: 'secret1' }, registerInput, 'string_too_short'],
      ['password', { username: 'valid', password: emoji.repeat(5) }, registerInput, 'string_too_short'],
      ['name', { name: emoji.repeat(201) }, createItemInput, 'string_too_long'],
      ['description', { name: 'n', description: emoji.repeat(2001) }, createItemInput, 'string_too_long'],
    ] as const)('refuses a %s one character too long or short', (field, input, schema, type) => {
      const error = captured(() => parseInput(schema, input));
      expect(error.issues).toEqual([{ path: [field], message: expect.any(String), type }]);
    });
  });

  describe('usernameKey', () => {
    it('is one key for every case and compatibility spelling of a name', () => {
      expect(new Set(['John', 'JOHN', 'john', 'Ｊｏｈｎ']).size).toBe(4);
      expect(new Set(['John', 'JOHN', 'john', 'Ｊｏｈｎ'].map(usernameKey))).toEqual(new Set(['john']));
      expect(usernameKey('Straße')).toBe(usernameKey('STRASSE'));
    });
  });

  describe('passwordRule', () => {
    it('accepts 6 characters and exactly 72 bytes', () => {
      expect(passwordRule.parse('123456')).toBe('123456');
      expect(passwordRule.parse('é'.repeat(36))).toHaveLength(36);
    });

    it('refuses 73 bytes even when that is few characters', () => {
      const error = captured(() =>
        parseInput(registerInput, { username: 'valid', password: `${'é'.repeat(36)}x` }),
      );
      expect(error.issues).toEqual([
        { path: ['password'], message: expect.stringContaining('72 bytes'), type: 'string_too_long' },
      ]);
    });
  });

  describe('createItemInput', () => {
    it('defaults the description to an empty string and drops unknown fields', () => {
      expect(parseInput(createItemInput, { name: 'n', owner_id: 'x' })).toEqual({
        name: 'n',
        description: '',
      });
    });

    it('reports every broken rule at once', () => {
      const error = captured(() => parseInput(createItemInput, { name: '', description: 1 }));
      expect(error.issues.map((i) => i.type)).toEqual(['string_too_short', 'string_type']);
    });
  });

  describe('listItemsInput', () => {
    it('defaults the limit to 50 and accepts integer strings from a query string', () => {
      expect(parseInput(listItemsInput, {})).toEqual({ limit: 50 });
      expect(parseInput(listItemsInput, { limit: '100' })).toEqual({ limit: 100 });
    });

    it('refuses a fractional limit', () => {
      const error = captured(() => parseInput(listItemsInput, { limit: 2.5 }));
      expect(error.issues[0]?.path).toEqual(['limit']);
    });
  });
});

function captured(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';

/**
 * The contract's input rules, once. Services parse client input with them; the REST layer
 * reuses the very same schemas for its request schemas and the OpenAPI document. Messages
 * and issue types follow pydantic, so a 422 reads as FastAPI's did.
 */

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 50;
export const PASSWORD_MIN = 6;
/** bcrypt reads only this many bytes: longer passwords are refused, never truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const ITEM_NAME_MAX = 200;
export const ITEM_DESCRIPTION_MAX = 2000;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 50;

// Letters, digits, `.`, `_` and `-`, in any script (checked after NFKC normalization).
const USERNAME_PATTERN = /^[\p{L}\p{N}._-]+$/u;

const utf8 = new TextEncoder();

const text = () =>
  z.string({
    error: (issue) => (issue.input === undefined ? 'Field required' : 'Input should be a valid string'),
  });
const atLeast = (n: number) => `String should have at least ${n} character${n === 1 ? '' : 's'}`;
const atMost = (n: number) => `String should have at most ${n} characters`;

/**
 * Lengths in characters (Unicode code points), as the old Python service and JSON Schema count
 * them; zod's own `.min`/`.max` count UTF-16 units, where an emoji is two. The bounds are also
 * recorded as `minLength`/`maxLength` for the OpenAPI document.
 */
const characters = (value: string) => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};
function withLength(schema: z.ZodString, { min, max }: { min?: number; max?: number }): z.ZodString {
  let checked = schema;
  if (min !== undefined) {
    checked = checked.refine((value) => characters(value) >= min, {
      message: atLeast(min),
      params: { type: 'string_too_short' },
      abort: true,
    });
  }
  if (max !== undefined) {
    checked = checked.refine((value) => characters(value) <= max, {
      message: atMost(max),
      params: { type: 'string_too_long' },
      abort: true,
    });
  }
  return checked.meta({ minLength: min, maxLength: max });
}

/** NFKC-normalized (so that look-alike compatibility characters are one name), not yet case-folded. */
export const usernameRule = text()
  .transform((value) => value.normalize('NFKC'))
  .pipe(
    withLength(text(), { min: USERNAME_MIN, max: USERNAME_MAX }).regex(
      USERNAME_PATTERN,
      'String should contain only letters, digits, ".", "_" and "-"',
    ),
  );

export const passwordRule = withLength(text(), { min: PASSWORD_MIN }).refine(
  (value) => utf8.encode(value).length <= PASSWORD_MAX_BYTES,
  {
    message: `String should have at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
    params: { type: 'string_too_long' },
  },
);

// An empty or over-long name is one problem, not also a blank one.
export const itemNameRule = withLength(text(), { min: 1, max: ITEM_NAME_MAX }).refine(
  (value) => value.trim().length > 0,
  {
    message: 'Value error, name must not be blank',
    params: { type: 'value_error' },
  },
);

export const itemDescriptionRule = withLength(text(), { max: ITEM_DESCRIPTION_MAX });

/**
 * Integers, or integer strings as a query string carries them: only digits, so that `1e1`,
 * `0x10` or a blank are refused as not integers rather than read as 10, 16 or 0.
 */
const listLimitRule = z.preprocess(
  (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  z
    .number({ error: 'Input should be a valid integer' })
    .int('Input should be a valid integer')
    .min(1, 'Input should be greater than or equal to 1')
    .max(LIST_LIMIT_MAX, `Input should be less than or equal to ${LIST_LIMIT_MAX}`),
);

/**
 * The ids an item can have: what the service makes (UUIDs) and the old service made (UUIDs too).
 * The REST path refuses anything else with a 422; `npm run migrate` reports an old row with
 * another id instead of copying an item no REST client could address.
 */
export const ITEM_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export const cursorRule = text().min(1, atLeast(1));

/** Login checks only the shapes: a name or password that could never be registered simply fails to match. */
export const loginInput = z.object({ username: text(), password: text() });
export const refreshInput = z.object({ refreshToken: text() });
/** The current password is checked like a login's; the new one follows the registration rules. */
export const passwordChangeInput = z.object({ currentPassword: text(), newPassword: passwordRule });
export const accountDeletionInput = z.object({ password: text() });
export const registerInput = z.object({ username: usernameRule, password: passwordRule });
export const createItemInput = z.object({
  name: itemNameRule,
  // Left out or null: empty, as the old service stored a missing description.
  description: itemDescriptionRule
    .nullable()
    .optional()
    .transform((value) => value ?? ''),
});

export const IDEMPOTENCY_KEY_MAX = 255;

/**
 * The client's `Idempotency-Key` (IETF draft "The Idempotency-Key HTTP Header Field"): a
 * string of visible ASCII, sent bare or as a quoted structured-field string.
 */
const idempotencyKeyRule = text()
  .transform((value) => /^"(.*)"$/.exec(value)?.[1] ?? value)
  .pipe(
    withLength(text(), { min: 1, max: IDEMPOTENCY_KEY_MAX }).regex(
      /^[\x20-\x7E]+$/,
      'String should contain only visible ASCII characters',
    ),
  );
export const createItemOptions = z.object({ idempotencyKey: idempotencyKeyRule.optional() });
export const updateItemInput = z
  .object({ name: itemNameRule.optional(), description: itemDescriptionRule.optional() })
  .refine((patch) => patch.name !== undefined || patch.description !== undefined, {
    message: 'Value error, at least one of name and description is required',
    params: { type: 'value_error' },
  });
export const listItemsInput = z.object({
  limit: listLimitRule.optional().transform((value) => value ?? LIST_LIMIT_DEFAULT),
  cursor: cursorRule.optional(),
});

/**
 * The case-insensitive identity of a username: `John`, `JOHN` and `john` are one account.
 * Upper-then-lower folds more than lower alone (`Straße` and `STRASSE` meet at `strasse`).
 */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** Parses with a rule or throws `ValidationError` carrying one pydantic-style issue per broken rule. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(toValidationIssues(result.error));
}

function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((key): key is string | number => typeof key !== 'symbol'),
    message: issue.message,
    type: issueType(issue),
  }));
}

/** The pydantic error type for a zod issue, e.g. `string_too_short`, `missing`. */
function issueType(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'missing';
      if (issue.expected === 'string') return 'string_type';
      if (issue.expected === 'number' || issue.expected === 'int') return 'int_parsing';
      if (issue.expected === 'object') return 'model_attributes_type';
      return `${issue.expected}_type`;
    case 'too_small':
      return issue.origin === 'string' ? 'string_too_short' : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : 'less_than_equal';
    case 'invalid_format':
      return 'string_pattern_mismatch';
    case 'not_multiple_of':
      return 'int_from_float';
    case 'custom': {
      const type = (issue.params as { type?: unknown } | undefined)?.type;
      return typeof type === 'string' ? type : 'value_error';
    }
    default:
      return 'value_error';
  }
}

import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  createItemInput,
  IDEMPOTENCY_KEY_MAX,
  ITEM_ID_PATTERN,
  itemDescriptionRule,
  itemNameRule,
  ITEM_DESCRIPTION_MAX,
  ITEM_NAME_MAX,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN,
  passwordRule,
  USERNAME_MAX,
  USERNAME_MIN,
  usernameRule,
  listItemsInput,
  loginInput,
  registerInput,
} from '../domain/input-rules.js';

/**
 * Every REST request and response shape, once, for `/openapi.json`. Requests are the domain's
 * own input rules (the services validate with them, so the 422s and the document cannot
 * disagree), with each rule also stated in JSON Schema terms where JSON Schema can state it,
 * so generated clients and validators refuse what the service refuses. Responses are strict,
 * so that a field leaking out (a hash, an internal key) fails the response validation in the
 * tests.
 */
export const registry = new OpenAPIRegistry();

/**
 * A schema under `#/components/schemas/<id>`. zod's own `.meta({ id })` rather than the
 * generator's `.openapi()`, which patches one of zod's two builds (ESM or CJS) but not the other.
 */
const named = <S extends z.ZodType>(id: string, schema: S): S => schema.meta({ id }) as S;

const isoDateTime = z.iso.datetime({ offset: true }).meta({ example: '2025-01-31T12:00:00.000Z' });

export const itemId = z
  .string()
  .regex(ITEM_ID_PATTERN, 'Item id should be 1–128 letters, digits, "-" or "_"')
  .meta({ description: 'The id the service gave the item', example: '3f1c2a56-7e0b-4a8d-9c51-2b7d4f0e9a13' });

/** The rule of each path parameter, checked when the route is matched (a 422 at `["path", name]`). */
export const pathParameters: Readonly<Record<string, z.ZodType>> = { id: itemId };

// Requests ------------------------------------------------------------------------------------

// The username rule normalizes (NFKC) before it checks; the document states the rule on the
// name as sent, which is exact for every name already in NFKC form.
export const RegisterRequest = named(
  'RegisterRequest',
  registerInput.extend({
    username: usernameRule.meta({
      description:
        `${USERNAME_MIN}–${USERNAME_MAX} letters, digits, ".", "_" or "-"; unique case-insensitively. ` +
        'Checked after Unicode NFKC normalization, which JSON Schema cannot state: a compatibility ' +
        'character (e.g. "½") that matches the pattern here may normalize into one that does not.',
      minLength: USERNAME_MIN,
      maxLength: USERNAME_MAX,
      pattern: '^[\\p{L}\\p{N}._-]+$',
      example: 'john',
    }),
    password: passwordRule.meta({
      description:
        `At least ${PASSWORD_MIN} characters and at most ${PASSWORD_MAX_BYTES} bytes of UTF-8 ` +
        "(bcrypt's limit). JSON Schema counts characters, not bytes: `maxLength` is exact for " +
        'ASCII, and a password of non-ASCII characters reaches the byte limit sooner.',
      minLength: PASSWORD_MIN,
      maxLength: PASSWORD_MAX_BYTES,
    }),
  }),
);
export const LoginRequest = named(
  'LoginRequest',
  loginInput.meta({
    description:
      'Any name and password are accepted as input: one that was never registered simply fails ' +
      'with 401 (accounts moved from the old service keep the names and passwords it allowed).',
  }),
);
const refreshToken = z.string().min(1).meta({ description: 'A `refresh_token` from a token response' });
export const RefreshTokenRequest = named('RefreshTokenRequest', z.object({ refresh_token: refreshToken }));
/** The OAuth2 refresh grant (RFC 6749 §6), as OAuth2 clients send it to the token (login) endpoint. */
export const RefreshTokenGrant = named(
  'RefreshTokenGrant',
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: refreshToken }),
);
export const PasswordChangeRequest = named(
  'PasswordChangeRequest',
  z.object({
    current_password: z.string().meta({ description: 'The password in use, checked like a login' }),
    new_password: passwordRule.meta({
      description: `As at registration: at least ${PASSWORD_MIN} characters and at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
      minLength: PASSWORD_MIN,
      maxLength: PASSWORD_MAX_BYTES,
    }),
  }),
);
export const AccountDeletionRequest = named(
  'AccountDeletionRequest',
  z.object({ password: z.string().meta({ description: "The account's password, checked like a login" }) }),
);

export const ItemCreateRequest = named(
  'ItemCreateRequest',
  createItemInput.extend({
    name: createItemInput.shape.name.meta({
      description: `1–${ITEM_NAME_MAX} characters, not blank`,
      minLength: 1,
      maxLength: ITEM_NAME_MAX,
      pattern: '\\S',
    }),
    // Documented as a string: `null` is also taken (as empty), which a 3.0 reader could not parse.
    description: itemDescriptionRule.optional().meta({
      description: `0–${ITEM_DESCRIPTION_MAX} characters; left out (or \`null\`): empty`,
      maxLength: ITEM_DESCRIPTION_MAX,
    }),
  }),
);
export const ItemUpdateRequest = named(
  'ItemUpdateRequest',
  // The domain's rule (updateItemInput) as JSON Schema can state it: the "at least one" refinement as `anyOf`.
  z
    .object({
      name: itemNameRule.optional().meta({
        description: `1–${ITEM_NAME_MAX} characters, not blank`,
        minLength: 1,
        maxLength: ITEM_NAME_MAX,
        pattern: '\\S',
      }),
      description: itemDescriptionRule.optional().meta({
        description: `0–${ITEM_DESCRIPTION_MAX} characters`,
        maxLength: ITEM_DESCRIPTION_MAX,
      }),
    })
    .meta({
      description: 'At least one of `name` and `description`; `null` is refused. Unknown fields are ignored.',
      anyOf: [{ required: ['name'] }, { required: ['description'] }],
    }),
);
export const ListItemsQueryParams = listItemsInput.extend({
  limit: listItemsInput.shape.limit.meta({
    description: `How many items: 1–${LIST_LIMIT_MAX}, default ${LIST_LIMIT_DEFAULT}`,
  }),
  cursor: listItemsInput.shape.cursor.meta({
    description:
      'Opaque: the `cursor` of a `Link: <...>; rel="next"` header from an earlier page. Only the ' +
      'caller it was issued to can use it.',
  }),
});
export const ItemPathParams = z.object({ id: itemId });
export const IdempotencyKeyHeader = z.string().meta({
  pattern: `^(?:"[\\x20-\\x7E]{1,${IDEMPOTENCY_KEY_MAX}}"|[\\x20-\\x7E]{1,${IDEMPOTENCY_KEY_MAX}})$`,
  description:
    `Makes a create safe to retry (IETF draft "The Idempotency-Key HTTP Header Field"): 1–${IDEMPOTENCY_KEY_MAX} ` +
    'printable ASCII characters (space to "~"), bare or quoted. The same key from the same user with the same body ' +
    'answers the first result again (same id and status, no second item) for as long as the item ' +
    'exists; the same key with another body answers 422. Keys are per user.',
  example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
});

// Responses -----------------------------------------------------------------------------------

export const Health = named('Health', z.strictObject({ status: z.literal('ok') }));

export const Token = named(
  'Token',
  z.strictObject({
    access_token: z
      .string()
      .min(1)
      .meta({ description: 'An HS256 JWT to send as `Authorization: Bearer <token>`' }),
    token_type: z.literal('bearer'),
    expires_at: isoDateTime.meta({ description: 'When the access token expires (15 minutes by default)' }),
    refresh_token: z
      .string()
      .min(1)
      .meta({
        description:
          'Opaque; keep it secret. Trade it at `POST /user/token/refresh` for a new pair before `refresh_expires_at`; ' +
          'it works once (it rotates). Clients of the old API may ignore it.',
      }),
    refresh_expires_at: isoDateTime.meta({
      description: 'When the refresh token expires (30 days by default)',
    }),
  }),
);

export const Profile = named(
  'Profile',
  z.strictObject({ id: z.string(), username: z.string(), created_at: isoDateTime }),
);

export const WelcomeMessage = named(
  'WelcomeMessage',
  z.strictObject({ message: z.string().meta({ example: 'Welcome john!' }) }),
);

export const Item = named(
  'Item',
  z.strictObject({
    id: z.string(),
    owner_id: z.string(),
    name: z.string(),
    description: z.string(),
    created_at: isoDateTime,
    updated_at: isoDateTime,
    version: z.int().min(1).meta({ description: 'Bumped by every write; the ETag carries it' }),
  }),
);

export const ItemList = named('ItemList', z.array(Item).meta({ description: 'Newest first' }));

export const ErrorBody = named(
  'Error',
  z.strictObject({
    detail: z.string().meta({ description: 'What went wrong, for people' }),
    request_id: z.string().meta({ description: 'Quote it when reporting a problem' }),
  }),
);

export const ValidationErrorBody = named(
  'ValidationError',
  z.strictObject({
    detail: z.array(
      z.strictObject({
        loc: z.array(z.union([z.string(), z.int()])).meta({ example: ['body', 'name'] }),
        msg: z.string(),
        type: z.string().meta({ example: 'string_too_short' }),
      }),
    ),
    request_id: z.string(),
  }),
);

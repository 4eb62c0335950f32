import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  createItemInput,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN,
  passwordRule,
  USERNAME_MAX,
  USERNAME_MIN,
  usernameRule,
  listItemsInput,
  loginInput,
  registerInput,
  updateItemInput,
} from '../domain/input-rules.js';

/**
 * Every REST request and response shape, once. Requests reuse the domain's input rules, so the
 * 422s, the services and `/openapi.json` cannot disagree; responses are strict so that a field
 * leaking out (a hash, an internal key) fails the OpenAPI response validation in the tests.
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
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'Item id should be 1–128 letters, digits, "-" or "_"')
  .meta({ description: 'The id the service gave the item', example: '3f1c2a56-7e0b-4a8d-9c51-2b7d4f0e9a13' });

// Requests ------------------------------------------------------------------------------------

// The username rule normalizes before it checks, so its limits are stated here for readers.
export const RegisterRequest = named(
  'RegisterRequest',
  registerInput.extend({
    username: usernameRule.meta({
      description: `${USERNAME_MIN}–${USERNAME_MAX} letters, digits, ".", "_" or "-" (after NFKC); unique case-insensitively`,
      minLength: USERNAME_MIN,
      maxLength: USERNAME_MAX,
      example: 'john',
    }),
    password: passwordRule.meta({
      description: `At least ${PASSWORD_MIN} characters and at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
    }),
  }),
);
export const LoginRequest = named('LoginRequest', loginInput);
export const ItemCreateRequest = named('ItemCreateRequest', createItemInput);
export const ItemUpdateRequest = named('ItemUpdateRequest', updateItemInput);
export const ItemListQuery = listItemsInput;
export const ItemPathParams = z.object({ id: itemId });

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
    expires_at: isoDateTime,
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

import type { z } from 'zod';
import { issueType } from '../domain/input-rules.js';
import type { ParsedBody } from '../http/body.js';

/** Where a bad value was found, as FastAPI's `loc` starts. */
export type InputLocation = 'body' | 'query' | 'path' | 'header';

/** One entry of FastAPI's 422 `detail` array. */
export interface ValidationDetail {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** The request did not satisfy its schema: answered 422 in FastAPI's shape. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(readonly details: readonly ValidationDetail[]) {
    super(details.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '));
  }
}

/** Parses `input` with `schema` or throws a 422 naming every broken rule by location. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  location: InputLocation,
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new RequestValidationError(
    result.error.issues.map((issue) => ({
      loc: [location, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      // zod's message when the input was missing is its generic one; FastAPI's reads better.
      msg: issue.code === 'invalid_type' && issue.input === undefined ? 'Field required' : issue.message,
      type: issueType(issue),
    })),
  );
}

/** The body as a value to validate, or a 422 saying why there is none. */
export function bodyValue(parsed: ParsedBody): unknown {
  if (parsed.ok) return parsed.value;
  switch (parsed.reason) {
    case 'missing':
      throw new RequestValidationError([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
    case 'json_invalid':
      throw new RequestValidationError([
        { loc: ['body'], msg: `JSON decode error: ${parsed.message}`, type: 'json_invalid' },
      ]);
    case 'unsupported_media_type':
      throw new RequestValidationError([
        {
          loc: ['header', 'content-type'],
          msg: `Content-Type must be application/json (got "${parsed.contentType}")`,
          type: 'content_type',
        },
      ]);
  }
}

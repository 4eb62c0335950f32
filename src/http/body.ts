import { header, type ApiEvent } from './api-gateway.js';

/** The contract's limit for any request body, on every route including /graphql. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** The body's size in bytes as the client sent it (API Gateway base64-encodes binary bodies). */
export function requestBodyBytes(event: Pick<ApiEvent, 'body' | 'isBase64Encoded'>): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body);
}

export type BodyMediaType = 'json' | 'form';

/** What a request body turned out to be; the failures are the client's and say what was wrong. */
export type ParsedBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'missing' }
  | { readonly ok: false; readonly reason: 'json_invalid'; readonly message: string }
  | { readonly ok: false; readonly reason: 'unsupported_media_type'; readonly contentType: string };

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * Reads the body as one of the accepted media types. A body without a content type is read as
 * JSON, as FastAPI does, so `curl -d '{...}'`-style clients keep working.
 */
export function parseBody(event: ApiEvent, accepted: readonly BodyMediaType[]): ParsedBody {
  const contentType = header(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const text = bodyText(event);
  if (text === undefined) return { ok: false, reason: 'json_invalid', message: 'body is not valid UTF-8' };

  if (accepted.includes('form') && mediaType === FORM_MEDIA_TYPE) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (mediaType !== '' && !JSON_MEDIA_TYPE.test(mediaType)) {
    return { ok: false, reason: 'unsupported_media_type', contentType: mediaType };
  }
  if (text.trim() === '') return { ok: false, reason: 'missing' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: 'json_invalid', message: (error as SyntaxError).message };
  }
}

/** The body as text: undefined when API Gateway's base64 carries bytes that are not UTF-8. */
export function bodyText(event: Pick<ApiEvent, 'body' | 'isBase64Encoded'>): string | undefined {
  if (!event.body) return '';
  if (!event.isBase64Encoded) return event.body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(event.body, 'base64'));
  } catch {
    return undefined;
  }
}

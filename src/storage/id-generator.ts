import { createHash, randomUUID } from 'node:crypto';
import type { IdGenerator } from '../domain/ports.js';

/** Row ids: random UUIDs, or, where a repeat must meet its first write, UUIDs derived from the parts. */
export const idGenerator: IdGenerator = { newId: () => randomUUID(), derivedId };

/** A UUID (version 8, RFC 9562) made from the SHA-256 of `parts`: the same parts, the same id. */
function derivedId(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\n')).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

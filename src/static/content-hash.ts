import { createHash } from 'node:crypto';

/**
 * The fingerprint a built asset carries in its file name (`swagger-ui-3f9a0c1b2d.css`). The
 * server recomputes it to decide that a file may be cached forever: a name that does not carry
 * its own content's hash is never marked immutable, whoever put the file there.
 */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 10);
}

/** `graphiql.js` + bytes → `graphiql-<hash>.js` */
export function hashedName(name: string, bytes: Uint8Array): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  return `${stem}-${contentHash(bytes)}${extension}`;
}

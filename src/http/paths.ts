/**
 * Every path also answers under the legacy `/api` prefix (the old FastAPI backend served
 * there) and with or without a trailing slash: routing compares this canonical form.
 */
export function canonicalPath(path: string): string {
  const withoutPrefix = path.replace(/^\/api(?=\/|$)/, '');
  const trimmed = withoutPrefix.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export const GRAPHQL_PATH = '/graphql';

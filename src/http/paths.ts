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

/**
 * What the IDE page at `/graphql` reads beside itself (relative to its own URL, so under any
 * stage or base path): where subscriptions connect. Served by the GraphQL transport.
 */
export const IDE_CONFIG_PATH = '/graphql/ide-config.json';

/** The paths the GraphQL transport answers. */
export function isGraphQLPath(canonical: string): boolean {
  return canonical === GRAPHQL_PATH || canonical === IDE_CONFIG_PATH;
}

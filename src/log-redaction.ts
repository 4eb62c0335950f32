import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Values that must never reach a log line, for as long as the code that knows them runs: the
 * GraphQL variables named like secrets (`password`, `currentPassword`, `refreshToken`, ...)
 * of the operation in flight. The logger scrubs them from every line written meanwhile, by
 * whomever (our code, Apollo, a library), so no error path can leak them.
 */
const secretsInFlight = new AsyncLocalStorage<readonly string[]>();

const SECRET_NAME = /pass(word|phrase)?|secret|token|credential|authorization|api.?key|private/i;
/** Shorter values would scrub ordinary words from every line; no accepted secret is that short. */
const MIN_REDACTED_LENGTH = 4;

export const REDACTED = '[redacted]';

/** Runs `fn` with the secret-named values found in `request` (a GraphQL request body) redacted. */
export function withSecretsRedacted<T>(request: unknown, fn: () => T): T {
  const found: string[] = [];
  const variables = (request as { variables?: unknown } | null | undefined)?.variables;
  collectSecrets(variables, false, found);
  return found.length === 0 ? fn() : secretsInFlight.run(found, fn);
}

/** `line` with every secret in flight replaced, in its raw and its JSON-escaped spelling. */
export function redactSecrets(line: string): string {
  const secrets = secretsInFlight.getStore();
  if (!secrets) return line;
  let redacted = line;
  for (const secret of secrets) {
    for (const spelling of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      redacted = redacted.split(spelling).join(REDACTED);
    }
  }
  return redacted;
}

function collectSecrets(value: unknown, named: boolean, found: string[]): void {
  if (typeof value === 'string') {
    if (named && value.length >= MIN_REDACTED_LENGTH) found.push(value);
  } else if (Array.isArray(value)) {
    for (const element of value) collectSecrets(element, named, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, nested] of Object.entries(value))
      collectSecrets(nested, named || SECRET_NAME.test(key), found);
  }
}

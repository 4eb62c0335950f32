import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Values that must never reach a log line, for as long as the request that carries them is
 * served: passwords, tokens and whatever else the client sent under a name like a secret. The
 * app opens a scope per request; whoever reads the client's input adds the secrets it finds
 * (REST bodies, GraphQL variables); the logger scrubs them from every line written meanwhile,
 * by whomever (our code, Apollo, a library), so that no error path can leak them.
 */
const secretsInFlight = new AsyncLocalStorage<Set<string>>();

const SECRET_NAME = /pass(word|phrase)?|secret|token|credential|authorization|api.?key|private/i;
/** Shorter values would scrub ordinary words from every line; no password accepted today is that short. */
const MIN_REDACTED_LENGTH = 4;

export const REDACTED = '[redacted]';

/** Whether a field, argument or variable of this name carries a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Runs `fn` (one request) with a scope of its own for the secrets found while it runs. */
export function withRedactionScope<T>(fn: () => T): T {
  return secretsInFlight.run(new Set(), fn);
}

/** Adds these values to the secrets of the request in flight. */
export function redactValues(values: Iterable<unknown>): void {
  const secrets = secretsInFlight.getStore();
  if (!secrets) return;
  for (const value of values) collect(value, true, secrets);
}

/** Adds the values found under secret-named keys of `input` (at any depth) to the request's secrets. */
export function redactSecretFields(input: unknown): void {
  const secrets = secretsInFlight.getStore();
  if (secrets) collect(input, false, secrets);
}

/** `line` with every secret in flight replaced, in its raw and its JSON-escaped spelling. */
export function redactSecrets(line: string): string {
  const secrets = secretsInFlight.getStore();
  if (!secrets || secrets.size === 0) return line;
  let redacted = line;
  for (const secret of secrets) {
    for (const spelling of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      redacted = redacted.split(spelling).join(REDACTED);
    }
  }
  return redacted;
}

function collect(value: unknown, secret: boolean, into: Set<string>): void {
  if (typeof value === 'string') {
    if (secret && value.length >= MIN_REDACTED_LENGTH) into.add(value);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    if (secret) collect(String(value), true, into);
  } else if (Array.isArray(value)) {
    for (const element of value) collect(element, secret, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, nested] of Object.entries(value)) collect(nested, secret || isSecretName(key), into);
  }
}

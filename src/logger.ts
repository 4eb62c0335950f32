import type { LogLevel } from './config.js';
import { redactSecrets } from './log-redaction.js';

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * One JSON object per line on stdout, which is what CloudWatch Logs indexes. Callers pass
 * only fields that are safe to log: no authorization headers, passwords, hashes or tokens;
 * the secrets of the request in flight (GraphQL variables, REST bodies and login forms) are
 * scrubbed from every line (log-redaction.ts).
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  const threshold = SEVERITY[level];
  const log = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (SEVERITY[lvl] < threshold) return;
    const line = JSON.stringify({ level: lvl, time: new Date().toISOString(), message, ...fields });
    write(`${redactSecrets(line)}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Error details for a log line: the stack for our own diagnosis, never for a client. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error)
    return { error: { name: error.name, message: error.message, stack: error.stack } };
  return { error: { message: String(error) } };
}

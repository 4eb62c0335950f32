import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { DataDirError } from './data-dir.js';
import { startLocalServer } from './server.js';

/** `npm start`: the service on this machine, on the embedded emulator unless DYNAMODB_ENDPOINT is set. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await startLocalServer({ config, logger });

  const storage = server.embedded
    ? `embedded DynamoDB (dynalite) at ${server.dynamodbEndpoint}, data in ${server.dataDir}`
    : `DynamoDB at ${server.dynamodbEndpoint}`;
  process.stderr.write(
    [
      `basic-item-crud listening on ${server.url}`,
      `  REST API   ${server.url}/item/   (docs: ${server.url}/docs)`,
      `  GraphQL    ${server.url}/graphql   (open it in a browser for the IDE)`,
      `  live       ${server.subscriptionsUrl}   (subscriptions: graphql-transport-ws)`,
      `  health     ${server.url}/health`,
      `  storage    ${storage}`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: finishing requests in flight and closing the data store...\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupProblem(error)}\n`);
  process.exit(1);
});

/** Start-up problems get one clear line each, never a stack. */
function startupProblem(error: unknown): string {
  if (error instanceof ConfigError) return `Invalid configuration: ${error.message}`;
  if (error instanceof DataDirError) return `Cannot start: ${error.message}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `Cannot start: port ${(error as { port?: number }).port ?? ''} is already in use (set PORT)`;
  if (code === 'EACCES') return `Cannot start: permission denied (${(error as Error).message})`;
  return `Cannot start: ${error instanceof Error ? error.message : String(error)}`;
}

import { ConfigError, loadStorageConfig } from '../config.js';
import { regionFromProfile } from './clients.js';
import { migrate, type MigrateSettings } from './command.js';
import { TableAccessError } from './migration.js';
import { parseOptions, USAGE, UsageError } from './options.js';
import { showProgress } from './progress.js';
import { formatReport } from './report.js';
import type { TargetTables } from './target.js';

/** Exit statuses (also in `USAGE`). */
const EXIT = { ok: 0, skipped: 1, usage: 2, stopped: 3 } as const;

/** `npm run migrate -- ...`: see `USAGE`. */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let settings: MigrateSettings;
  let json: boolean;
  try {
    const options = parseOptions(argv);
    if (options.help) {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    const storage = loadStorageConfig(env);
    const source = { users: options.fromUsers, items: options.fromItems };
    const target = {
      users: options.toUsers ?? storage.usersTable,
      items: options.toItems ?? storage.itemsTable,
    };
    assertDistinct(source, target);
    settings = {
      storage: { region: await regionOf(env), dynamodbEndpoint: storage.dynamodbEndpoint },
      source,
      target,
      dryRun: options.dryRun,
      segments: options.segments,
      maxRps: options.maxRps,
    };
    json = options.json;
  } catch (error) {
    if (error instanceof UsageError) return fail(`migrate: ${error.message}`, EXIT.usage);
    if (error instanceof ConfigError) return fail(`Invalid configuration: ${error.message}`, EXIT.usage);
    throw error;
  }

  let stopProgress = () => {};
  try {
    const report = await migrate(settings, {
      onStart: (live, meter) => (stopProgress = showProgress(live, meter, process.stderr)),
    });
    stopProgress();
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return report.skipped.length > 0 ? EXIT.skipped : EXIT.ok;
  } catch (error) {
    stopProgress();
    if (error instanceof TableAccessError) return fail(`migrate: ${error.message}`, EXIT.usage);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return fail(`migrate: stopped by ${reason}\nRun the same command again: it resumes.`, EXIT.stopped);
  }
}

/** REGION or AWS_REGION; else, against AWS, the profile's region, as the AWS CLI does. */
async function regionOf(env: NodeJS.ProcessEnv): Promise<string> {
  const storage = loadStorageConfig(env);
  if (env.REGION || env.AWS_REGION || storage.dynamodbEndpoint) return storage.region;
  const region = await regionFromProfile();
  if (!region)
    throw new UsageError('no AWS region: set REGION or AWS_REGION, or a region in your AWS profile');
  return region;
}

/** Writing into a source table, or both kinds of rows into one table, would corrupt it. */
function assertDistinct(source: TargetTables, target: TargetTables): void {
  const names = [source.users, source.items, target.users, target.items];
  if (new Set(names).size < names.length) {
    throw new UsageError(
      `the four tables must be different (old users ${source.users}, old items ${source.items}, ` +
        `target users ${target.users}, target items ${target.items})`,
    );
  }
}

function fail(line: string, status: number): number {
  process.stderr.write(`${line}\n`);
  return status;
}

main(process.argv.slice(2), process.env).then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.stopped;
  },
);

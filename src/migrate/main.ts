import { ConfigError, loadStorageConfig, type StorageConfig } from '../config.js';
import { createMigrationClient, regionFromProfile } from './clients.js';
import { DryRunTarget } from './dry-run-target.js';
import { runMigration, TableAccessError } from './migration.js';
import { parseOptions, USAGE, UsageError, type MigrateOptions } from './options.js';
import { showProgress } from './progress.js';
import { formatReport, MigrationReport } from './report.js';
import { RequestMeter } from './request-meter.js';
import { LegacySource } from './source.js';
import { LiveTarget, type TargetTables } from './target.js';
import { TokenBucket } from './throttle.js';

/** Exit statuses (also in `USAGE`). */
const EXIT = { ok: 0, skipped: 1, usage: 2, stopped: 3 } as const;

/** `npm run migrate -- ...`: see `USAGE`. */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: MigrateOptions;
  let storage: StorageConfig;
  let source: TargetTables;
  let target: TargetTables;
  try {
    options = parseOptions(argv);
    if (options.help) {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    storage = { ...loadStorageConfig(env), region: await regionOf(env) };
    source = { users: options.fromUsers, items: options.fromItems };
    target = { users: options.toUsers ?? storage.usersTable, items: options.toItems ?? storage.itemsTable };
    assertDistinct(source, target);
  } catch (error) {
    if (error instanceof UsageError) return fail(`migrate: ${error.message}`, EXIT.usage);
    if (error instanceof ConfigError) return fail(`Invalid configuration: ${error.message}`, EXIT.usage);
    throw error;
  }

  const meter = new RequestMeter();
  const bucket = options.maxRps === undefined ? undefined : new TokenBucket(options.maxRps);
  // Two clients: the source one only ever reaches `LegacySource`, which can only scan.
  const sourceClient = createMigrationClient(storage, meter, bucket);
  const targetClient = createMigrationClient(storage, meter, bucket);
  const live = new LiveTarget(targetClient.doc, target);
  const report = new MigrationReport();
  const stopProgress = showProgress(report, meter, process.stderr);
  const started = performance.now();
  try {
    await runMigration(
      new LegacySource(sourceClient.doc),
      options.dryRun ? new DryRunTarget(live) : live,
      {
        source,
        segments: options.segments,
      },
      report,
    );
  } catch (error) {
    stopProgress();
    if (error instanceof TableAccessError) return fail(`migrate: ${error.message}`, EXIT.usage);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`migrate: stopped by ${reason}\nRun the same command again: it resumes.\n`);
    return EXIT.stopped;
  } finally {
    stopProgress();
    sourceClient.client.destroy();
    targetClient.client.destroy();
  }

  const document = report.toDocument({
    dryRun: options.dryRun,
    source,
    target,
    requests: { total: meter.total, byOperation: meter.byOperation() },
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
  process.stdout.write(options.json ? `${JSON.stringify(document)}\n` : formatReport(document));
  return report.anySkipped ? EXIT.skipped : EXIT.ok;
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

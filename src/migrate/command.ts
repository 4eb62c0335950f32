import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StorageConfig } from '../config.js';
import { createMigrationClient } from './clients.js';
import { DryRunTarget } from './dry-run-target.js';
import { runMigration } from './migration.js';
import { MigrationReport, type ReportDocument } from './report.js';
import { RequestMeter } from './request-meter.js';
import { LegacySource } from './source.js';
import { LiveTarget, type RetryPolicy, type TargetTables } from './target.js';
import { TokenBucket } from './throttle.js';

export interface MigrateSettings {
  /** Region and endpoint of both deployments' tables (the same account and region). */
  readonly storage: Pick<StorageConfig, 'region' | 'dynamodbEndpoint'>;
  readonly source: TargetTables;
  readonly target: TargetTables;
  readonly dryRun: boolean;
  readonly segments: number;
  readonly maxRps?: number | undefined;
  readonly retry?: RetryPolicy;
}

export interface MigrateHooks {
  /** The two real clients, before anything is sent (tests record calls or inject faults). */
  onClients?(clients: { readonly source: DynamoDBClient; readonly target: DynamoDBClient }): void;
  /** The live counts, for a progress display. */
  onStart?(report: MigrationReport, meter: RequestMeter): void;
}

/**
 * `npm run migrate` without the command line: the clients (two, so that the source one is only
 * ever held by `LegacySource`, which can only scan), the shared meter and throttle, the run,
 * and its report.
 */
export async function migrate(settings: MigrateSettings, hooks: MigrateHooks = {}): Promise<ReportDocument> {
  const meter = new RequestMeter();
  const bucket = settings.maxRps === undefined ? undefined : new TokenBucket(settings.maxRps);
  const sourceClient = createMigrationClient(settings.storage, meter, bucket);
  const targetClient = createMigrationClient(settings.storage, meter, bucket);
  hooks.onClients?.({ source: sourceClient.client, target: targetClient.client });
  const live = new LiveTarget(targetClient.doc, settings.target, settings.retry);
  const report = new MigrationReport();
  hooks.onStart?.(report, meter);
  const started = performance.now();
  try {
    await runMigration(
      new LegacySource(sourceClient.doc),
      settings.dryRun ? new DryRunTarget(live) : live,
      { source: settings.source, segments: settings.segments },
      report,
    );
  } finally {
    sourceClient.client.destroy();
    targetClient.client.destroy();
  }
  return report.toDocument({
    dryRun: settings.dryRun,
    source: settings.source,
    target: settings.target,
    requests: { total: meter.total, byOperation: meter.byOperation() },
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
}

import { copyItemsPage } from './copy-items.js';
import { copyUsersPage } from './copy-users.js';
import { CredentialsWriter } from './credentials.js';
import { MigrationReport } from './report.js';
import { forEachPage, type LegacySource } from './source.js';
import type { Target, TargetTables } from './target.js';

export interface MigrationPlan {
  /** The old deployment's tables. */
  readonly source: TargetTables;
  readonly segments: number;
  /** Conditional writes in flight per scan worker. */
  readonly concurrency?: number;
}

/** A table that cannot be read at all (missing, wrong region, no permission): a configuration problem. */
export class TableAccessError extends Error {
  override readonly name = 'TableAccessError';
}

const DEFAULT_CONCURRENCY = 8;
const PROBE_ID = 'migrate#probe';

/**
 * The whole migration: phase 1 copies the users (so that every owner exists), phase 2 the
 * items; each phase scans its old table in parallel segments, a page at a time. Nothing here
 * holds more than a page per worker, whatever the size of the tables.
 */
export async function runMigration(
  source: LegacySource,
  target: Target,
  plan: MigrationPlan,
  report: MigrationReport = new MigrationReport(),
): Promise<MigrationReport> {
  await checkTables(source, target, plan.source);
  const concurrency = plan.concurrency ?? DEFAULT_CONCURRENCY;
  const credentials = new CredentialsWriter(target, report);
  await forEachPage(source, plan.source.users, plan.segments, (rows) =>
    copyUsersPage(rows, { target, report, credentials, concurrency }),
  );
  await forEachPage(source, plan.source.items, plan.segments, (rows) =>
    copyItemsPage(rows, { target, report, concurrency }),
  );
  return report;
}

/** One read of each table before anything is written, so a wrong name stops the run at once. */
async function checkTables(source: LegacySource, target: Target, from: TargetTables): Promise<void> {
  const checks: [string, () => Promise<unknown>][] = [
    [`the old users table "${from.users}"`, () => source.probe(from.users)],
    [`the old items table "${from.items}"`, () => source.probe(from.items)],
    [
      `the target users table "${target.tables.users}"`,
      () => target.getMany([{ table: 'users', id: PROBE_ID }]),
    ],
    [
      `the target items table "${target.tables.items}"`,
      () => target.getMany([{ table: 'items', id: PROBE_ID }]),
    ],
  ];
  for (const [what, check] of checks) {
    try {
      await check();
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new TableAccessError(`cannot read ${what}: ${reason}`, { cause: error });
    }
  }
}

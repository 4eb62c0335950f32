import type { Row } from '../storage/records.js';
import { eachLimited } from './concurrency.js';
import type { CredentialsWriter } from './credentials.js';
import { checkLegacyUser, rowId, type LegacyUser } from './legacy-rows.js';
import type { MigrationReport } from './report.js';
import type { Target } from './target.js';
import { deletionReceiptId, foldedMarkerId, userRecordOf } from './target-records.js';

export interface CopyUsersContext {
  readonly target: Target;
  readonly report: MigrationReport;
  readonly credentials: CredentialsWriter;
  /** Credential writes in flight per page. */
  readonly concurrency: number;
}

/**
 * Phase 1, one scan page of the old users table: one consistent batch read of what the new
 * table already has for these users (their records, deletion receipts and names), then the
 * records that are missing (batch-written: nobody else can create an old id), then each
 * account's credentials (conditional, one by one: a name may be claimed concurrently). The
 * record goes first: a marker whose user record is missing reads as an abandoned registration,
 * which a new registration could take over.
 */
export async function copyUsersPage(rows: readonly Row[], ctx: CopyUsersContext): Promise<void> {
  const { target, report } = ctx;
  const users: LegacyUser[] = [];
  for (const row of rows) {
    report.read('users');
    const checked = checkLegacyUser(row);
    if (checked.ok) users.push(checked.row);
    else report.skip('users', rowId(row), checked.reason);
  }
  if (users.length === 0) return;

  const found = await target.getMany(
    users.flatMap((user) => [
      { table: 'users' as const, id: user.id },
      { table: 'users' as const, id: deletionReceiptId(user.id) },
      { table: 'users' as const, id: foldedMarkerId(user.username) },
    ]),
  );
  const live: LegacyUser[] = [];
  for (const user of users) {
    // Deleted in the new service since an earlier run copied it: it stays deleted.
    if (found.get('users', deletionReceiptId(user.id))) report.user('deletedInNewService');
    else live.push(user);
  }
  const missing = live.filter((user) => found.get('users', user.id) === null);
  await target.putNew('users', missing.map(userRecordOf));
  const recordWritten = new Set(missing.map((user) => user.id));

  await eachLimited(live, ctx.concurrency, async (user) => {
    const outcome = await ctx.credentials.place(user, found.get('users', foldedMarkerId(user.username)));
    if (outcome.kind === 'refused') report.skip('users', user.id, outcome.reason);
    else report.user(outcome.kind === 'written' || recordWritten.has(user.id) ? 'copied' : 'unchanged');
  });
}

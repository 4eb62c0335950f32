import { readItemRow, type Row } from '../storage/records.js';
import { eachLimited } from './concurrency.js';
import { untouchedCopy } from './conditions.js';
import { checkLegacyItem, rowId, type LegacyItem } from './legacy-rows.js';
import type { ItemOutcome, MigrationReport } from './report.js';
import type { Target } from './target.js';
import { deletionReceiptId, itemRecordOf, legacyDigest } from './target-records.js';

export interface CopyItemsContext {
  readonly target: Target;
  readonly report: MigrationReport;
  /** Conditional updates in flight per page. */
  readonly concurrency: number;
}

/** A lost race on an update is re-read and re-decided, this often. */
const MAX_UPDATE_ATTEMPTS = 3;

/** What to do with one old item, given what the new table holds under its id. */
type Decision = ItemOutcome | 'update';

/**
 * Phase 2, one scan page of the old items table: one consistent batch read of the copies, their
 * owners and the owners' deletion receipts; then new copies batch-written (their keys were just
 * read absent, and nobody else creates an old id) and copies the old service edited since
 * rewritten, each conditional on nobody having touched it here since it was read.
 */
export async function copyItemsPage(rows: readonly Row[], ctx: CopyItemsContext): Promise<void> {
  const { target, report } = ctx;
  const items: LegacyItem[] = [];
  for (const row of rows) {
    report.read('items');
    const checked = checkLegacyItem(row);
    if (checked.ok) items.push(checked.row);
    else report.skip('items', rowId(row), checked.reason);
  }
  if (items.length === 0) return;

  const found = await target.getMany(
    items.flatMap((item) => [
      { table: 'items' as const, id: item.id },
      { table: 'users' as const, id: item.ownerId },
      { table: 'users' as const, id: deletionReceiptId(item.ownerId) },
    ]),
  );
  const inserts: LegacyItem[] = [];
  const updates: LegacyItem[] = [];
  for (const item of items) {
    const copy = found.get('items', item.id);
    if (found.get('users', deletionReceiptId(item.ownerId))) {
      report.item('deletedInNewService');
    } else if (copy) {
      const decision = decide(item, copy);
      if (decision === 'update') updates.push(item);
      else report.item(decision);
    } else if (found.get('users', item.ownerId) === null) {
      report.skip(
        'items',
        item.id,
        `its owner ${item.ownerId} has no account in the new table (no such old user, or it was skipped)`,
      );
    } else {
      inserts.push(item);
    }
  }
  await target.putNew('items', inserts.map(itemRecordOf));
  for (let i = 0; i < inserts.length; i++) report.item('copied');

  await eachLimited(updates, ctx.concurrency, async (item) => {
    const outcome = await update(item, found.get('items', item.id) as Row, target);
    if (outcome === 'update')
      report.skip(
        'items',
        item.id,
        `it kept changing in the new table during ${MAX_UPDATE_ATTEMPTS} attempts; run again`,
      );
    else report.item(outcome);
  });
}

/**
 * A copy nobody edited here (still version 1, with the digest of the old row it came from)
 * follows the old row; a copy edited here keeps the edit; a tombstone stays deleted.
 */
function decide(item: LegacyItem, copy: Row): Decision {
  if (readItemRow(copy).kind === 'deleted') return 'deletedInNewService';
  if (copy.legacy_digest === legacyDigest(item)) return 'unchanged';
  if (copy.version === 1 && typeof copy.legacy_digest === 'string') return 'update';
  return 'keptNewEdit';
}

/** 'updated', or what a fresh read decides when the copy changed since it was read. */
async function update(item: LegacyItem, read: Row, target: Target): Promise<Decision> {
  let copy: Row | null = read;
  for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
    if (attempt > 1) copy = await target.get('items', item.id);
    // Deleted here outright (no tombstone): gone from the new service, not to be brought back.
    if (copy === null) return 'deletedInNewService';
    const decision = decide(item, copy);
    if (decision !== 'update') return decision;
    if (await target.put('items', itemRecordOf(item), untouchedCopy(copy.legacy_digest as string)))
      return 'updated';
  }
  return 'update';
}

import type { TargetTables } from './target.js';

export type UserOutcome = 'copied' | 'unchanged' | 'deletedInNewService';
export type ItemOutcome = 'copied' | 'updated' | 'unchanged' | 'keptNewEdit' | 'deletedInNewService';

export interface SkippedRow {
  readonly table: 'users' | 'items';
  /** The old row's id (null when it has none). */
  readonly id: string | null;
  readonly reason: string;
}

/** Old names equal once case-folded: each logs in with its exact spelling only. */
export interface Collision {
  /** The folded name, which nobody can register any more. */
  readonly key: string;
  readonly names: readonly string[];
}

export interface ReportDocument {
  readonly dryRun: boolean;
  readonly source: TargetTables;
  readonly target: TargetTables;
  readonly users: Readonly<Record<'read' | UserOutcome | 'skipped', number>>;
  readonly items: Readonly<Record<'read' | ItemOutcome | 'skipped', number>>;
  readonly collisions: readonly Collision[];
  readonly skipped: readonly SkippedRow[];
  readonly requests: { readonly total: number; readonly byOperation: Record<string, number> };
  readonly seconds: number;
}

/**
 * What a run did (or, dry, would do), counted as it goes. Every old row read lands in exactly
 * one count; rows skipped are also listed with their reason, because each needs a decision.
 */
export class MigrationReport {
  readonly users = { read: 0, copied: 0, unchanged: 0, deletedInNewService: 0, skipped: 0 };
  readonly items = {
    read: 0,
    copied: 0,
    updated: 0,
    unchanged: 0,
    keptNewEdit: 0,
    deletedInNewService: 0,
    skipped: 0,
  };
  private readonly collisions = new Map<string, readonly string[]>();
  private readonly skippedRows: SkippedRow[] = [];

  read(table: 'users' | 'items'): void {
    this[table].read += 1;
  }

  user(outcome: UserOutcome): void {
    this.users[outcome] += 1;
  }

  item(outcome: ItemOutcome): void {
    this.items[outcome] += 1;
  }

  skip(table: 'users' | 'items', id: string | null, reason: string): void {
    this[table].skipped += 1;
    this.skippedRows.push({ table, id, reason });
  }

  /** A collision met (made or already there); the latest list of names wins. */
  collision(key: string, names: readonly string[]): void {
    this.collisions.set(key, [...names]);
  }

  get anySkipped(): boolean {
    return this.skippedRows.length > 0;
  }

  toDocument(
    meta: Pick<ReportDocument, 'dryRun' | 'source' | 'target' | 'requests' | 'seconds'>,
  ): ReportDocument {
    return {
      ...meta,
      users: { ...this.users },
      items: { ...this.items },
      collisions: [...this.collisions]
        .map(([key, names]) => ({ key, names }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      skipped: [...this.skippedRows],
    };
  }
}

/** The report for a person at a terminal. */
export function formatReport(report: ReportDocument): string {
  const { users, items } = report;
  const lines = [
    `Migration ${report.dryRun ? 'DRY RUN (nothing was written; counts are what a real run would do)' : 'done'}`,
    `  from users ${report.source.users}, items ${report.source.items}`,
    `  to   users ${report.target.users}, items ${report.target.items}`,
    `users: ${users.read} read, ${users.copied} copied, ${users.unchanged} unchanged, ` +
      `${users.deletedInNewService} deleted in the new service, ${users.skipped} skipped`,
    `items: ${items.read} read, ${items.copied} copied, ${items.updated} updated from the old table, ` +
      `${items.unchanged} unchanged, ${items.keptNewEdit} kept the new table's edit, ` +
      `${items.deletedInNewService} deleted in the new service, ${items.skipped} skipped`,
  ];
  if (report.collisions.length > 0) {
    lines.push(`collisions (${report.collisions.length}): these names log in only with their exact spelling`);
    for (const c of report.collisions)
      lines.push(`  ${JSON.stringify(c.key)}: ${c.names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  if (report.skipped.length > 0) {
    lines.push(`skipped (${report.skipped.length}):`);
    for (const s of report.skipped)
      lines.push(`  ${s.table} ${s.id === null ? '(no id)' : JSON.stringify(s.id)}: ${s.reason}`);
  }
  const operations = Object.entries(report.requests.byOperation)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  lines.push(`DynamoDB requests: ${report.requests.total} (${operations || 'none'}) in ${report.seconds} s`);
  return `${lines.join('\n')}\n`;
}

import type { Row } from '../storage/records.js';
import type { WriteCondition } from './conditions.js';
import {
  lookupKey,
  RowLookup,
  type KeyedRow,
  type LiveTarget,
  type TableRole,
  type Target,
  type TargetKey,
} from './target.js';

/**
 * A target that reads the real tables and writes nothing: each write it is asked for is checked
 * against what it read (its condition) and counted as done. The users-table rows it would have
 * written are remembered, so that later steps see them as the real run would (an item finds
 * its owner, the second of two colliding names finds the first). That memory is one row per
 * old user (a few hundred bytes each); items are not remembered, since nothing reads them back.
 */
export class DryRunTarget implements Target {
  private readonly wouldWrite = new Map<string, Row>();

  constructor(private readonly reader: LiveTarget) {}

  get tables() {
    return this.reader.tables;
  }

  async getMany(keys: readonly TargetKey[]): Promise<RowLookup> {
    const read = await this.reader.getMany(keys);
    const merged = new Map<string, Row>();
    for (const key of keys) {
      const row = (key.table === 'users' && this.wouldWrite.get(key.id)) || read.get(key.table, key.id);
      if (row) merged.set(lookupKey(key.table, key.id), row);
    }
    return new RowLookup(merged);
  }

  async get(table: TableRole, id: string): Promise<Row | null> {
    return (table === 'users' && this.wouldWrite.get(id)) || this.reader.get(table, id);
  }

  async put(table: TableRole, row: KeyedRow, condition: WriteCondition): Promise<boolean> {
    if (!condition.holds(await this.get(table, row.id))) return false;
    this.remember(table, row);
    return true;
  }

  async putNew(table: TableRole, rows: readonly KeyedRow[]): Promise<void> {
    for (const row of rows) this.remember(table, row);
  }

  private remember(table: TableRole, row: KeyedRow): void {
    if (table === 'users') this.wouldWrite.set(row.id, { ...row });
  }
}

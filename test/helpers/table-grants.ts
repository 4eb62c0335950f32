import type { DynamoDbGrants, TableName } from '../../src/storage/tables.js';
import type { RecordedCall } from './dynamodb-recorder.js';

/**
 * The IAM actions recorded calls needed, as `group: action` (`connections: dynamodb:Query`,
 * `connectionsIndexes: dynamodb:Query`), for comparing with a function's grants in tables.ts.
 */
export function actionsUsed(
  calls: readonly RecordedCall[],
  tables: Readonly<Partial<Record<TableName, string>>>,
): string[] {
  const byName = new Map(Object.entries(tables).map(([group, name]) => [name, group]));
  const used = calls.flatMap((call) =>
    (call.tables.length > 0 ? call.tables : ['(no table recorded)']).map((table) => {
      const group = byName.get(table) ?? `unknown table ${table}`;
      return `${call.indexName ? `${group}Indexes` : group}: dynamodb:${call.operation}`;
    }),
  );
  return [...new Set(used)].sort();
}

/** Every action of the grants, in the same form. */
export function grantedActions(grants: DynamoDbGrants): string[] {
  return Object.entries(grants)
    .flatMap(([group, actions]) => (actions ?? []).map((action) => `${group}: ${action}`))
    .sort();
}

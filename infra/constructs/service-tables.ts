import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tables, type KeyAttribute, type TableSpec } from '../../src/storage/tables.js';

export interface ServiceTablesProps {
  /** Prefix of the physical table names: `<prefix>-users`, `<prefix>-items`. */
  readonly namePrefix: string;
  readonly deletionProtection: boolean;
}

export type TableName = TableSpec['name'];

/**
 * The service's DynamoDB tables, built from the same specs the emulator and the tests use.
 * They hold the users' data, so CloudFormation never deletes them (RETAIN) and, unless turned
 * off, neither does anyone else by accident (deletion protection).
 */
export class ServiceTables extends Construct {
  readonly byName: Readonly<Record<TableName, TableV2>>;

  constructor(scope: Construct, id: string, props: ServiceTablesProps) {
    super(scope, id);
    const build = (spec: TableSpec) =>
      new TableV2(this, capitalized(spec.name), {
        tableName: `${props.namePrefix}-${spec.name}`,
        partitionKey: attribute(spec.partitionKey),
        ...(spec.sortKey ? { sortKey: attribute(spec.sortKey) } : {}),
        globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        })),
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: spec.pointInTimeRecovery },
        deletionProtection: props.deletionProtection,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.byName = { users: build(tables.users), items: build(tables.items) };
  }
}

const ATTRIBUTE_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

function capitalized(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tables, type KeyAttribute, type TableName, type TableSpec } from '../../src/storage/tables.js';

export interface ServiceTablesProps {
  /** Physical name of each table. */
  readonly tableNames: Readonly<Record<TableName, string>>;
  readonly deletionProtection: boolean;
}

export type { TableName };

/**
 * The service's DynamoDB tables, built from the same specs the emulator and the tests use.
 * Those holding users' data are never deleted by CloudFormation (RETAIN) and, unless turned off,
 * by nobody else by accident (deletion protection). Ephemeral ones (connections) are neither
 * backed up nor kept.
 */
export class ServiceTables extends Construct {
  readonly byName: Readonly<Record<TableName, TableV2>>;

  constructor(scope: Construct, id: string, props: ServiceTablesProps) {
    super(scope, id);
    const build = (spec: TableSpec) => {
      const table = new TableV2(this, capitalized(spec.name), {
        tableName: props.tableNames[spec.name],
        partitionKey: attribute(spec.partitionKey),
        ...(spec.sortKey ? { sortKey: attribute(spec.sortKey) } : {}),
        globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        })),
        billing: Billing.onDemand(),
        timeToLiveAttribute: spec.timeToLiveAttribute,
        ...(spec.stream ? { dynamoStream: StreamViewType[spec.stream] } : {}),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: spec.pointInTimeRecovery },
        deletionProtection: spec.ephemeral ? false : props.deletionProtection,
        removalPolicy: spec.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
      if (!spec.pointInTimeRecovery) {
        Validations.of(table).acknowledge({
          id: 'AwsSolutions-DDB3',
          reason:
            `The ${spec.name} table holds ephemeral rows (WebSocket connections and their ` +
            'subscriptions, expired by TTL within hours): a restore would bring back sockets that ' +
            'no longer exist, and clients re-subscribe on reconnect.',
        });
      }
      return table;
    };
    this.byName = {
      users: build(tables.users),
      items: build(tables.items),
      connections: build(tables.connections),
    };
  }
}

const ATTRIBUTE_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

function capitalized(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

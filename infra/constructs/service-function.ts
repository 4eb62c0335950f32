import { RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, DockerImageFunction, Tracing, type DockerImageCode } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { tables, type DynamoDbGrants, type TableName } from '../../src/storage/tables.js';

export interface ServiceFunctionProps {
  readonly functionName: string;
  readonly description: string;
  readonly code: DockerImageCode;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** X-Ray active tracing (Lambda samples and sends the function's segments). */
  readonly tracing: boolean;
  /** Caps the function's concurrency (and so its bill and its load on DynamoDB). */
  readonly reservedConcurrency?: number;
  /** The DynamoDB actions its code sends, per table and index (from src/storage/tables.ts). */
  readonly dynamoDbGrants: DynamoDbGrants;
  readonly tables: Readonly<Record<TableName, TableV2>>;
  /** The JWT signing key, when the function verifies or issues tokens. */
  readonly signingKey?: ISecret;
}

/**
 * One Lambda function of the service: the container image with one handler, its own execution
 * role (only what its code calls), its own log group with retention.
 */
export class ServiceFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of the default one, which would attach the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group of the account).
    this.role = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}: its log group and what its code calls`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    for (const statement of dynamoDbStatements(props.dynamoDbGrants, props.tables)) {
      this.role.addToPolicy(statement);
    }
    if (props.signingKey) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.signingKey.secretArn],
        }),
      );
    }

    this.function = new DockerImageFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      code: props.code,
      architecture: Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: { ...props.environment },
    });

    acknowledgeDesignFindings(this, props.tracing);
  }
}

/**
 * Exactly the actions the function's code sends (kept true by the storage tests), on exactly the
 * table or the indexes each is sent to: reads by owner go through an index only.
 */
function dynamoDbStatements(
  grants: DynamoDbGrants,
  deployed: Readonly<Record<TableName, TableV2>>,
): PolicyStatement[] {
  return Object.values(tables).flatMap((spec) => {
    const table = deployed[spec.name];
    const tableActions = grants[spec.name] ?? [];
    const indexActions = grants[`${spec.name}Indexes`] ?? [];
    return [
      ...(tableActions.length
        ? [new PolicyStatement({ actions: [...tableActions], resources: [table.tableArn] })]
        : []),
      ...(indexActions.length && spec.globalIndexes.length
        ? [
            new PolicyStatement({
              actions: [...indexActions],
              resources: spec.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
            }),
          ]
        : []),
    ];
  });
}

function acknowledgeDesignFindings(fn: ServiceFunction, tracing: boolean): void {
  const lambda = Validations.of(fn.function);
  lambda.acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'A dead-letter queue only ever receives failed asynchronous invocations, and nothing invokes ' +
      'this function asynchronously: API Gateway calls it synchronously (the caller gets the error) ' +
      'and a stream mapping keeps its own on-failure destination.',
  });
  if (tracing) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no ' +
        'resource-level permissions, so IAM requires "*" for them (and only them).',
    });
  } else {
    lambda.acknowledge({
      id: 'Serverless-LambdaTracing',
      reason: 'X-Ray tracing turned off by the operator for this deployment (-c tracing=off).',
    });
  }
}

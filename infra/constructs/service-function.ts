import { IgnoreMode, RemovalPolicy, Stack, Validations, type Duration } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DYNAMODB_ACTIONS, tables } from '../../src/storage/tables.js';
import type { TableName } from './service-tables.js';

export interface ServiceFunctionProps {
  readonly functionName: string;
  /** The directory holding the Dockerfile: the image's build context. */
  readonly imageContext: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly tables: Readonly<Record<TableName, TableV2>>;
  readonly allowedOrigins: readonly string[];
  readonly logLevel: string;
  readonly logRetention: RetentionDays;
}

/**
 * The Lambda function from the container image, with its own execution role (only what the
 * code calls), its log group, and the JWT signing key it reads from Secrets Manager at cold
 * start (the key's value is never in the template nor in the function's environment).
 */
export class ServiceFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.signingKey = new Secret(this, 'JwtSigningKey', {
      description: `HS256 key that signs ${props.functionName} access tokens`,
      // 64 characters of [A-Za-z0-9]: ~380 bits, above the 32 bytes the service demands.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The service verifies tokens with this one key, so rotating it signs every user out at ' +
        'once; rotation is a deliberate operator step (README, "Deploy to AWS"), not a schedule.',
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of the default one, which would attach the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group of the account).
    this.role = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}: its log group, its tables, its key`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.logGroupArn}`],
      }),
    );
    for (const statement of dynamoDbStatements(props.tables)) this.role.addToPolicy(statement);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.signingKey.secretArn],
      }),
    );

    this.function = new DockerImageFunction(this, 'Function', {
      functionName: props.functionName,
      code: DockerImageCode.fromImageAsset(props.imageContext, {
        file: 'Dockerfile',
        // The function runs on x86_64; build for it even on an ARM laptop.
        platform: Platform.LINUX_AMD64,
        // .dockerignore (an allowlist) is read too; these keep staging fast if it ever loosens.
        ignoreMode: IgnoreMode.DOCKER,
        exclude: ['node_modules', '.git', '.data', 'cdk.out', 'dist', 'build', 'coverage'],
      }),
      architecture: Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        USERS_TABLE: props.tables.users.tableName,
        ITEMS_TABLE: props.tables.items.tableName,
        REGION: Stack.of(this).region,
        ALLOWED_ORIGINS: props.allowedOrigins.join(','),
        JWT_SECRET_ARN: this.signingKey.secretArn,
        LOG_LEVEL: props.logLevel,
        NODE_ENV: 'production',
      },
    });
  }
}

/**
 * Exactly the actions `src/storage` sends (DYNAMODB_ACTIONS, kept true by its own test), on
 * exactly the table or index each is sent to: item reads by owner go through the index only.
 */
function dynamoDbStatements(deployed: Readonly<Record<TableName, TableV2>>): PolicyStatement[] {
  const actionsFor = DYNAMODB_ACTIONS as Readonly<Record<string, readonly string[] | undefined>>;
  return Object.values(tables).flatMap((spec) => {
    const table = deployed[spec.name];
    const statements = [
      new PolicyStatement({ actions: [...(actionsFor[spec.name] ?? [])], resources: [table.tableArn] }),
    ];
    const indexActions = actionsFor[`${spec.name}Indexes`];
    if (indexActions?.length) {
      statements.push(
        new PolicyStatement({
          actions: [...indexActions],
          resources: spec.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
        }),
      );
    }
    return statements.filter((statement) => statement.hasResource && statement.actions.length > 0);
  });
}

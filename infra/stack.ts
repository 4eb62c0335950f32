import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnRegistryScanningConfiguration } from 'aws-cdk-lib/aws-ecr';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ServiceApi } from './constructs/service-api.js';
import { ServiceFunction } from './constructs/service-function.js';
import { ServiceTables } from './constructs/service-tables.js';
import type { DeploymentSettings } from './settings.js';

export interface ServiceStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** The repository root: the Dockerfile and the image's build context. */
  readonly imageContext: string;
}

/** The whole service in one stack: the old Terraform's topology, hardened. */
export class ServiceStack extends Stack {
  readonly tables: ServiceTables;
  readonly service: ServiceFunction;
  readonly api: ServiceApi;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const name = `${settings.appName}-${settings.environment}`;
    const logRetention = settings.logRetentionDays as RetentionDays;

    this.tables = new ServiceTables(this, 'Tables', {
      namePrefix: name,
      deletionProtection: settings.deletionProtection,
    });
    this.service = new ServiceFunction(this, 'Service', {
      functionName: name,
      imageContext: props.imageContext,
      memorySize: settings.lambdaMemorySize,
      timeout: Duration.seconds(settings.lambdaTimeout),
      tables: this.tables.byName,
      allowedOrigins: settings.allowedOrigins,
      logLevel: settings.logLevel,
      logRetention,
    });
    this.api = new ServiceApi(this, 'Api', {
      apiName: name,
      stageName: settings.environment,
      handler: this.service.function,
      throttlingRateLimit: settings.throttlingRateLimit,
      throttlingBurstLimit: settings.throttlingBurstLimit,
      logRetention,
    });

    if (settings.registryScanOnPush) {
      // The bootstrap's asset repository does not scan on push and is not ours to change; this
      // registry-level rule (one per account and region) scans every CDK asset repository's pushes.
      new CfnRegistryScanningConfiguration(this, 'RegistryScanOnPush', {
        scanType: 'BASIC',
        rules: [
          {
            scanFrequency: 'SCAN_ON_PUSH',
            repositoryFilters: [{ filter: 'cdk-*-container-assets-*', filterType: 'WILDCARD' }],
          },
        ],
      });
    }

    Tags.of(this).add('application', settings.appName);
    Tags.of(this).add('environment', settings.environment);
    for (const [key, value] of Object.entries(settings.tags)) Tags.of(this).add(key, value);

    new CfnOutput(this, 'InvokeUrl', {
      description: 'Base URL of the API (stage included)',
      value: this.api.api.url,
    });
    new CfnOutput(this, 'UsersTableName', { value: this.tables.byName.users.tableName });
    new CfnOutput(this, 'ItemsTableName', { value: this.tables.byName.items.tableName });
    new CfnOutput(this, 'FunctionName', { value: this.service.function.functionName });
  }
}

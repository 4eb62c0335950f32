import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { CfnRegistryScanningConfiguration } from 'aws-cdk-lib/aws-ecr';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DYNAMODB_ACTIONS } from '../src/storage/tables.js';
import { acknowledgeNoEdgeShield, EdgeShield } from './constructs/edge-shield.js';
import { ServiceApi } from './constructs/service-api.js';
import { ServiceFunction } from './constructs/service-function.js';
import { ServiceImage } from './constructs/service-image.js';
import { ServiceTables } from './constructs/service-tables.js';
import { SigningKey } from './constructs/signing-key.js';
import { Subscriptions } from './constructs/subscriptions.js';
import { physicalNames, type PhysicalNames } from './naming.js';
import { AlarmTopic } from './observability/alarm-topic.js';
import { ServiceAlarms } from './observability/alarms.js';
import { ServiceDashboard } from './observability/dashboard.js';
import type { MetricsScope } from './observability/service-metrics.js';
import type { DeploymentSettings } from './settings.js';

export interface ServiceStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** The repository root: the Dockerfile and the image's build context. */
  readonly imageContext: string;
}

/**
 * The whole service in one stack: the old Terraform's topology (REST API → function → tables),
 * hardened, plus GraphQL subscriptions (WebSocket API, stream publisher) and its operations
 * (tracing, alarms, dashboard, opt-in WAF).
 */
export class ServiceStack extends Stack {
  readonly names: PhysicalNames;
  readonly tables: ServiceTables;
  readonly service: ServiceFunction;
  readonly api: ServiceApi;
  readonly subscriptions: Subscriptions;
  readonly alarmTopic: AlarmTopic;
  readonly alarms: ServiceAlarms;
  readonly dashboard: ServiceDashboard;
  readonly edgeShield: EdgeShield | undefined;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const names = physicalNames(settings.appName, settings.environment);
    this.names = names;
    const logRetention = settings.logRetentionDays as RetentionDays;
    const tracing = settings.tracing !== 'off';
    const metrics: MetricsScope = {
      namespace: settings.appName,
      service: `${settings.appName}-${settings.environment}`,
    };

    this.tables = new ServiceTables(this, 'Tables', {
      tableNames: names.tables,
      deletionProtection: settings.deletionProtection,
    });
    const image = new ServiceImage(this, 'Image', { directory: props.imageContext });
    const signingKey = new SigningKey(this, 'JwtSigningKey', { usedBy: names.prefix }).secret;
    const byTable = this.tables.byName;
    // What every function reads at start (src/config.ts validates it once per cold start).
    const environment: Record<string, string> = {
      USERS_TABLE: byTable.users.tableName,
      ITEMS_TABLE: byTable.items.tableName,
      CONNECTIONS_TABLE: byTable.connections.tableName,
      REGION: this.region,
      ALLOWED_ORIGINS: settings.allowedOrigins.join(','),
      JWT_SECRET_ARN: signingKey.secretArn,
      LOG_LEVEL: settings.logLevel,
      NODE_ENV: 'production',
      METRICS_NAMESPACE: metrics.namespace,
      POWERTOOLS_SERVICE_NAME: metrics.service,
      TRACING: settings.tracing,
    };
    const functionSettings = {
      memorySize: settings.lambdaMemorySize,
      timeout: Duration.seconds(settings.lambdaTimeout),
      logRetention,
      tracing,
      tables: byTable,
    };

    this.subscriptions = new Subscriptions(this, 'Subscriptions', {
      ...functionSettings,
      names: {
        webSocketApi: names.webSocketApi,
        accessLogs: names.webSocketAccessLogs,
        websocketFunction: names.functions.websocket,
        publisherFunction: names.functions.publisher,
        publisherFailures: names.publisherFailures,
      },
      stageName: settings.environment,
      image,
      signingKey,
      environment,
      throttlingRateLimit: settings.throttlingRateLimit,
      throttlingBurstLimit: settings.throttlingBurstLimit,
    });
    this.service = new ServiceFunction(this, 'Service', {
      ...functionSettings,
      functionName: names.functions.api,
      description: 'REST and GraphQL API: every API Gateway request',
      code: image.code('index.handler'),
      // The GraphQL IDE finds the subscriptions endpoint here.
      environment: { ...environment, WEBSOCKET_URL: this.subscriptions.stage.url },
      dynamoDbGrants: DYNAMODB_ACTIONS,
      signingKey,
      reservedConcurrency: settings.reservedConcurrency,
    });
    this.api = new ServiceApi(this, 'Api', {
      apiName: names.restApi,
      accessLogGroupName: names.restAccessLogs,
      stageName: settings.environment,
      handler: this.service.function,
      throttlingRateLimit: settings.throttlingRateLimit,
      throttlingBurstLimit: settings.throttlingBurstLimit,
      logRetention,
      tracing,
    });
    if (this.api.apiGatewayAccount) this.subscriptions.loggingNeeds(this.api.apiGatewayAccount);

    const restStage = this.api.api.deploymentStage;
    this.edgeShield = settings.waf
      ? new EdgeShield(this, 'EdgeShield', {
          webAclName: names.webAcl,
          logGroupName: names.wafLogs,
          stage: restStage,
          rateLimitPerIp: settings.wafRateLimitPerIp,
          rateLimitPerToken: settings.wafRateLimitPerToken,
          logRetention,
        })
      : undefined;
    if (!this.edgeShield) acknowledgeNoEdgeShield(restStage);

    const functions = {
      api: this.service.function,
      websocket: this.subscriptions.websocket.function,
      publisher: this.subscriptions.publisher.function,
    };
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      topicName: names.alarmTopic,
      keyAlias: names.alarmKeyAlias,
      email: settings.alarmEmail,
    });
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      names,
      topic: this.alarmTopic.topic,
      restStage,
      functions,
      tables: byTable,
      publisherFailures: this.subscriptions.publisherFailures,
      metrics,
      latencyP99Ms: settings.latencyP99Ms,
      failedLoginsPerMinute: settings.failedLoginsPerMinute,
    });
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      alarms: this.alarms.alarms,
      restStage,
      webSocketStage: this.subscriptions.stage,
      functions,
      tables: byTable,
      publisherFailures: this.subscriptions.publisherFailures,
      metrics,
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

    this.addOutputs();
  }

  /** What an operator needs, for the cutover from the old stack among other things. */
  private addOutputs(): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('InvokeUrl', this.api.api.url, 'Base URL of the REST API (stage included)');
    output('RestApiId', this.api.api.restApiId, 'REST API id (the old stack exported it as api_gateway_id)');
    output('WebSocketUrl', this.subscriptions.stage.url, 'GraphQL subscriptions (graphql-transport-ws)');
    output('UsersTableName', this.tables.byName.users.tableName, 'Users table (migrate --to-users)');
    output('ItemsTableName', this.tables.byName.items.tableName, 'Items table (migrate --to-items)');
    output('ConnectionsTableName', this.tables.byName.connections.tableName, 'WebSocket connections');
    output('FunctionName', this.service.function.functionName, 'The REST/GraphQL function');
    output('AlarmTopicArn', this.alarmTopic.topic.topicArn, 'SNS topic of every alarm');
    output('DashboardName', this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard');
  }
}

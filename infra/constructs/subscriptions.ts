import { Duration, RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
  type CfnStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IDependable } from 'constructs';
import {
  PUBLISHER_DYNAMODB_ACTIONS,
  WEBSOCKET_DYNAMODB_ACTIONS,
  type TableName,
} from '../../src/storage/tables.js';
import { ServiceFunction } from './service-function.js';
import type { ServiceImage } from './service-image.js';

export interface SubscriptionsProps {
  readonly names: {
    readonly webSocketApi: string;
    readonly accessLogs: string;
    readonly websocketFunction: string;
    readonly publisherFunction: string;
    readonly publisherFailures: string;
  };
  /** The stage: named after the environment, as the REST stage is. */
  readonly stageName: string;
  readonly image: ServiceImage;
  readonly tables: Readonly<Record<TableName, TableV2>>;
  readonly signingKey: ISecret;
  /** The environment every function gets (table names, region, logging, metrics, tracing). */
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  readonly tracing: boolean;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
}

/** The stream mapping's limits: a change older than this is no longer news to a live client. */
export const PUBLISHER_STREAM = {
  batchSize: 100,
  retryAttempts: 3,
  maxRecordAge: Duration.minutes(5),
  /** Posting to every subscriber of a batch's owners; well under the record age. */
  timeout: Duration.seconds(60),
  failureRetention: Duration.days(14),
} as const;

/**
 * GraphQL subscriptions on AWS: an API Gateway WebSocket API whose routes run the image's
 * `websocketHandler` (connections and subscriptions kept in the connections table), and the
 * `streamHandler` publisher fed by the items table's stream, which posts each change to its
 * owner's subscribers through the API Gateway Management API. Writes stay one DynamoDB call.
 *
 * API Gateway WebSocket APIs have no X-Ray tracing (REST APIs only); both functions trace.
 */
export class Subscriptions extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogs: LogGroup;
  readonly executionLogs: LogGroup;
  readonly websocket: ServiceFunction;
  readonly publisher: ServiceFunction;
  readonly publisherFailures: Queue;

  constructor(scope: Construct, id: string, props: SubscriptionsProps) {
    super(scope, id);
    const shared = {
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      tracing: props.tracing,
      tables: props.tables,
    };

    // It finds its own management endpoint in each event's requestContext (domain and stage).
    this.websocket = new ServiceFunction(this, 'WebSocket', {
      ...shared,
      functionName: props.names.websocketFunction,
      description: 'GraphQL subscriptions over graphql-transport-ws: API Gateway WebSocket routes',
      code: props.image.code('index.websocketHandler'),
      // API Gateway gives up on a WebSocket integration after 29 s, as on REST.
      timeout: props.timeout,
      environment: props.environment,
      dynamoDbGrants: WEBSOCKET_DYNAMODB_ACTIONS,
      signingKey: props.signingKey,
    });

    this.api = new WebSocketApi(this, 'Api', {
      apiName: props.names.webSocketApi,
      description: 'GraphQL subscriptions (graphql-transport-ws); every route runs one Lambda function',
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', this.websocket.function),
      },
      disconnectRouteOptions: {
        integration: new WebSocketLambdaIntegration('DisconnectIntegration', this.websocket.function),
      },
      defaultRouteOptions: {
        integration: new WebSocketLambdaIntegration('DefaultIntegration', this.websocket.function),
      },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: props.names.accessLogs,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat(),
      },
    });
    // Execution logging, errors only (never message bodies), into a group the stack owns, as on
    // the REST stage; API Gateway would otherwise create it without retention.
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/apigateway/${this.api.apiId}/${props.stageName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    cfnStage.addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    this.stage.node.addDependency(this.executionLogs);

    this.publisherFailures = new Queue(this, 'PublisherFailures', {
      queueName: props.names.publisherFailures,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: PUBLISHER_STREAM.failureRetention,
    });

    this.publisher = new ServiceFunction(this, 'Publisher', {
      ...shared,
      functionName: props.names.publisherFunction,
      description: 'GraphQL subscriptions: posts item changes from the items stream to subscribers',
      code: props.image.code('index.streamHandler'),
      timeout: PUBLISHER_STREAM.timeout,
      environment: { ...props.environment, WEBSOCKET_MANAGEMENT_ENDPOINT: this.stage.callbackUrl },
      dynamoDbGrants: PUBLISHER_DYNAMODB_ACTIONS,
    });
    // Grants the stream read (DescribeStream, GetRecords, GetShardIterator, ListStreams on this
    // stream only) and SendMessage on the failure queue.
    this.publisher.function.addEventSource(
      new DynamoEventSource(props.tables.items, {
        startingPosition: StartingPosition.LATEST,
        batchSize: PUBLISHER_STREAM.batchSize,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: PUBLISHER_STREAM.retryAttempts,
        maxRecordAge: PUBLISHER_STREAM.maxRecordAge,
        onFailure: new SqsDlq(this.publisherFailures),
      }),
    );

    // A Policy of its own, out of the default policies each function waits for: the functions
    // never depend on the WebSocket API (whose routes depend on them), so no cycle can close.
    this.grantManageConnections('WebSocketManageConnections', this.websocket.role, ['POST', 'DELETE']);
    this.grantManageConnections('PublisherManageConnections', this.publisher.role, ['POST']);

    acknowledgeDesignFindings(this);
  }

  /** Execution logging needs the account-level API Gateway logging role set first. */
  loggingNeeds(apiGatewayAccount: IDependable): void {
    this.stage.node.addDependency(apiGatewayAccount);
  }

  /** `execute-api:ManageConnections` on this API's stage connections only, for these methods. */
  private grantManageConnections(id: string, role: IRole, methods: readonly string[]): Policy {
    const apiArn = Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId });
    const policy = new Policy(this, id, {
      statements: [
        new PolicyStatement({
          actions: ['execute-api:ManageConnections'],
          resources: methods.map((method) => `${apiArn}/${this.stage.stageName}/${method}/@connections/*`),
        }),
      ],
      roles: [role],
    });
    // cdk-nag names each wildcard resource in its finding id: unresolved parts (the API's id,
    // and account, region or partition when the environment is not fixed) as <LogicalId>.
    const stack = Stack.of(this);
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const apiLogicalId = stack.getLogicalId(this.api.node.defaultChild as CfnElement);
    const arnPrefix =
      `arn:${shown(stack.partition, 'AWS::Partition')}:execute-api:${shown(stack.region, 'AWS::Region')}:` +
      `${shown(stack.account, 'AWS::AccountId')}:<${apiLogicalId}>`;
    for (const method of methods) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${arnPrefix}/${this.stage.stageName}/${method}/@connections/*]`,
        reason:
          'Connection ids exist only at run time: the resource is this API, this stage, this method, ' +
          'any connection (@connections/*), the narrowest ARN execute-api:ManageConnections allows.',
      });
    }
    return policy;
  }
}

function acknowledgeDesignFindings(subscriptions: Subscriptions): void {
  const routesReason =
    'graphql-transport-ws authenticates in its connection_init message (the token in its payload, ' +
    'as GraphiQL and graphql-ws send it): browsers cannot set an Authorization header on a ' +
    'WebSocket, so the handler checks the token and closes with 4401/4403 itself.';
  for (const route of subscriptions.api.node.findAll()) {
    if (route.node.id.endsWith('-Route')) {
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: routesReason });
    }
  }
  const queue = Validations.of(subscriptions.publisherFailures);
  const deadLetterReason =
    'This queue is itself the dead-letter destination: the stream mapping sends the records it ' +
    'gave up on here, for an operator to inspect (docs/operations.md, "Subscriptions stopped arriving").';
  queue.acknowledge({ id: 'AwsSolutions-SQS3', reason: deadLetterReason });
  queue.acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: deadLetterReason });
}

/**
 * One JSON object per WebSocket event. No message bodies or headers: a connection_init
 * payload carries the user's token.
 */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      eventType: AccessLogField.contextEventType(),
      routeKey: AccessLogField.contextRouteKey(),
      connectionId: AccessLogField.contextConnectionId(),
      status: AccessLogField.contextStatus(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      errorMessage: AccessLogField.contextErrorMessage(),
    }),
  );
}

import { RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';

export interface ServiceApiProps {
  readonly apiName: string;
  /** Name of the log group for the JSON access logs. */
  readonly accessLogGroupName: string;
  readonly stageName: string;
  readonly handler: IFunction;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: RetentionDays;
  /** X-Ray active tracing on the stage. */
  readonly tracing: boolean;
}

/** Responses smaller than this go uncompressed: gzip would cost more than it saves. */
export const MIN_COMPRESSION_BYTES = 1024;

/**
 * The old stack's API Gateway REST API: `ANY /` and `ANY /{proxy+}` proxied to the function,
 * one stage named after the environment; hardened with stage throttling, JSON access logs in
 * their own log group, execution logging (errors only: never request data) into a log group the
 * stack owns (so it has a retention), X-Ray tracing and compression.
 */
export class ServiceApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  readonly executionLogs: LogGroup;
  /** The account-level logging role setting, which any other stage's execution logging needs. */
  readonly apiGatewayAccount: IDependable | undefined;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: props.accessLogGroupName,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new RestApi(this, 'RestApi', {
      restApiName: props.apiName,
      description: 'basic-item-crud: REST and GraphQL, every path proxied to one Lambda function',
      endpointTypes: [EndpointType.REGIONAL],
      minCompressionSize: Size.bytes(MIN_COMPRESSION_BYTES),
      // The function answers precompressed assets and images base64-encoded; API Gateway only
      // turns those back into bytes for binary media types. Request bodies then arrive
      // base64-encoded too, which the handler decodes.
      binaryMediaTypes: ['*/*'],
      // Execution logging needs the account-level API Gateway → CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: props.tracing,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });

    // The stack's own InvokeUrl output replaces the one RestApi adds under a generated name.
    this.api.node.tryRemoveChild('Endpoint');

    // API Gateway writes execution logs to this fixed name, creating the group (with no
    // retention) on its first error unless it exists: the stage waits for ours.
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${props.stageName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);
    this.apiGatewayAccount = this.api.node.tryFindChild('Account');

    // Only API Gateway invokes the function, only through these two methods (no test-invoke,
    // no function URL): throttling and access logs see every request.
    const integration = new LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false });
    this.api.root.addMethod('ANY', integration);
    this.api.root.addResource('{proxy+}').addMethod('ANY', integration);

    acknowledgeDesignFindings(this.api);
    if (!props.tracing) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'Serverless-APIGWXrayEnabled',
        reason: 'X-Ray tracing turned off by the operator for this deployment (-c tracing=off).',
      });
    }
  }
}

/** cdk-nag findings this API accepts by design, on the constructs they concern. */
function acknowledgeDesignFindings(api: RestApi): void {
  const methods = Validations.of(api.root);
  const byTheService =
    'The service authenticates callers itself with the JWT bearer tokens it issues (the contract ' +
    'of the old API): /health, /user/register, /user/login, the docs and the GraphQL IDE are ' +
    'public, and an authorizer cannot tell public from private operations inside one GraphQL request.';
  methods.acknowledge({ id: 'AwsSolutions-APIG4', reason: byTheService });
  methods.acknowledge({
    id: 'AwsSolutions-COG4',
    reason: `No Cognito user pool: ${byTheService}`,
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'A pure proxy for REST and GraphQL: the handler validates every body and parameter and ' +
      "answers 422 in FastAPI's shape (or GraphQL errors), which an API Gateway validator cannot produce.",
  });
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The AWS-maintained policy API Gateway requires for its account-level logging role, ' +
        'which execution logging needs; it grants log writes only.',
    });
  }
}

/** One JSON object per request. No query string, headers or body: they may carry credentials. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      httpMethod: AccessLogField.contextHttpMethod(),
      path: AccessLogField.contextPath(),
      resourcePath: AccessLogField.contextResourcePath(),
      protocol: AccessLogField.contextProtocol(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationStatus: AccessLogField.contextIntegrationStatus(),
      errorMessage: AccessLogField.contextErrorMessage(),
    }),
  );
}

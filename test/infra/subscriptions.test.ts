import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHER_STREAM } from '../../infra/constructs/subscriptions.js';
import {
  OWNER_INDEX,
  PUBLISHER_DYNAMODB_ACTIONS,
  WEBSOCKET_DYNAMODB_ACTIONS,
} from '../../src/storage/tables.js';
import {
  actionsOn,
  getAtt,
  propertiesOf,
  resourcesOf,
  resourceWith,
  statementsOfRole,
  synth,
  type Json,
} from './synth.js';

const sorted = (actions: readonly string[]) => [...actions].sort();

describe('Stack: GraphQL subscriptions on AWS', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synth());
  });

  describe('Connections table', () => {
    it('keys rows by connection_id and sk, finds them by owner through owner-index, expires them by TTL', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: 'basic-item-crud-dev-v2-connections',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'connection_id', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: OWNER_INDEX,
            KeySchema: [
              { AttributeName: 'owner_id', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      });
    });

    it('is ephemeral: no PITR, no deletion protection, deleted with the stack', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({
          TableName: 'basic-item-crud-dev-v2-connections',
          StreamSpecification: Match.absent(),
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
              DeletionProtectionEnabled: false,
            }),
          ],
        }),
      });
    });
  });

  describe('WebSocket API', () => {
    it('is named <prefix>-ws and routes $connect, $disconnect and $default to the WebSocket function', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        Name: 'basic-item-crud-dev-v2-ws',
        ProtocolType: 'WEBSOCKET',
      });
      const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => propertiesOf(r));
      expect(routes.map((r) => r.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
      for (const route of routes) expect(route.AuthorizationType).toBe('NONE');
      const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration').map(([, i]) =>
        propertiesOf(i),
      );
      expect(integrations).toHaveLength(3);
      for (const integration of integrations) {
        expect(integration.IntegrationType).toBe('AWS_PROXY');
        expect(JSON.stringify(integration.IntegrationUri)).toContain('SubscriptionsWebSocketFunction');
      }
    });

    it('lets API Gateway invoke the WebSocket function for exactly those three routes of this API', () => {
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission')
        .map(([, p]) => propertiesOf(p))
        .filter((p) => JSON.stringify(p.FunctionName).includes('SubscriptionsWebSocketFunction'));
      expect(permissions).toHaveLength(3);
      const sources = permissions.map((p) => JSON.stringify(p.SourceArn));
      for (const route of ['$connect', '$disconnect', '$default']) {
        expect(sources.some((s) => s.includes('SubscriptionsApi') && s.endsWith(`/*${route}"]]}`))).toBe(
          true,
        );
      }
    });

    it('has one auto-deployed stage named after the environment, throttled, with execution logging (errors only)', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: 'dev',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        },
      });
    });

    it('writes JSON access logs to its own log group, without message bodies or headers', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/aws/apigateway/basic-item-crud-dev-v2-ws/access',
        RetentionInDays: 14,
      });
      const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [[string, Json]];
      const settings = propertiesOf(stage).AccessLogSettings as Json;
      expect(settings.DestinationArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^SubscriptionsAccessLogs/), 'Arn'],
      });
      const format = JSON.parse(settings.Format as string) as Json;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        eventType: '$context.eventType',
        routeKey: '$context.routeKey',
        connectionId: '$context.connectionId',
        status: '$context.status',
      });
      expect(JSON.stringify(format)).not.toMatch(/header|body|authorizer/i);
    });

    it('creates its execution-log group with retention before the stage, after the account logging role', () => {
      const [[groupId]] = resourcesOf(template, 'AWS::Logs::LogGroup').filter(([, g]) =>
        /"\/aws\/apigateway\/",\{"Ref":"SubscriptionsApi[0-9A-F]+"\},"\/dev"/.test(
          JSON.stringify(propertiesOf(g).LogGroupName),
        ),
      ) as [[string, Json]];
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: {
          'Fn::Join': [
            '',
            ['/aws/apigateway/', { Ref: Match.stringLikeRegexp('^SubscriptionsApi') }, '/dev'],
          ],
        },
        RetentionInDays: 14,
      });
      const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [[string, Json]];
      expect(stage.DependsOn).toEqual(
        expect.arrayContaining([groupId, expect.stringMatching(/^ApiRestApiAccount/)]),
      );
    });
  });

  describe('Functions', () => {
    it('builds all three functions from one image asset, each with its own handler', () => {
      const functions = resourcesOf(template, 'AWS::Lambda::Function').map(([, fn]) => propertiesOf(fn));
      const images = new Set(functions.map((fn) => JSON.stringify((fn.Code as Json).ImageUri)));
      expect(images.size).toBe(1);
      expect(
        Object.fromEntries(functions.map((fn) => [fn.FunctionName, (fn.ImageConfig as Json).Command])),
      ).toEqual({
        'basic-item-crud-dev-v2': ['index.handler'],
        'basic-item-crud-dev-v2-websocket': ['index.websocketHandler'],
        'basic-item-crud-dev-v2-publisher': ['index.streamHandler'],
      });
    });

    it('gives the WebSocket function the common environment, and no endpoint (it reads it from each event)', () => {
      const fn = propertiesOf(
        resourceWith(template, 'AWS::Lambda::Function', 'FunctionName', 'basic-item-crud-dev-v2-websocket'),
      );
      const variables = (fn.Environment as { Variables: Json }).Variables;
      expect(Object.keys(variables).sort()).toEqual([
        'ALLOWED_ORIGINS',
        'CONNECTIONS_TABLE',
        'ITEMS_TABLE',
        'JWT_SECRET_ARN',
        'LOG_LEVEL',
        'METRICS_NAMESPACE',
        'NODE_ENV',
        'POWERTOOLS_SERVICE_NAME',
        'REGION',
        'TRACING',
        'USERS_TABLE',
      ]);
      expect(variables.CONNECTIONS_TABLE).toEqual({ Ref: expect.stringMatching(/^TablesConnections/) });
      expect(fn).toMatchObject({ MemorySize: 512, Timeout: 29, TracingConfig: { Mode: 'Active' } });
    });

    it("gives the publisher the stage's https management endpoint besides the common environment", () => {
      const fn = propertiesOf(
        resourceWith(template, 'AWS::Lambda::Function', 'FunctionName', 'basic-item-crud-dev-v2-publisher'),
      );
      const variables = (fn.Environment as { Variables: Json }).Variables;
      expect(variables.WEBSOCKET_MANAGEMENT_ENDPOINT).toEqual({
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: expect.stringMatching(/^SubscriptionsApi/) },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/dev',
          ],
        ],
      });
      expect(variables.CONNECTIONS_TABLE).toEqual({ Ref: expect.stringMatching(/^TablesConnections/) });
      expect(variables.WEBSOCKET_URL).toBeUndefined();
      expect(fn).toMatchObject({
        Timeout: PUBLISHER_STREAM.timeout.toSeconds(),
        TracingConfig: { Mode: 'Active' },
      });
    });
  });

  describe('Publisher: items stream → event source mapping', () => {
    it('reads the items stream with partial batch responses, bisection, bounded retries and age', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt('TablesItems', 'StreamArn'),
        FunctionName: { Ref: Match.stringLikeRegexp('^SubscriptionsPublisherFunction') },
        StartingPosition: 'LATEST',
        BatchSize: PUBLISHER_STREAM.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 300,
        DestinationConfig: { OnFailure: { Destination: getAtt('SubscriptionsPublisherFailures') } },
      });
    });

    it('sends the records it gives up on to an encrypted, TLS-only queue that keeps them 14 days', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'basic-item-crud-dev-v2-publisher-failures',
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('IAM (least privilege)', () => {
    const manageConnections = (methods: string[]) =>
      methods.map((method) => ({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':execute-api:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':',
            { Ref: expect.stringMatching(/^SubscriptionsApi/) },
            `/dev/${method}/@connections/*`,
          ],
        ],
      }));

    it('WebSocket function: its connections grants, the signing key, ManageConnections on this stage only', () => {
      const statements = statementsOfRole(template, 'SubscriptionsWebSocketExecutionRole');
      expect(actionsOn(statements, /^\{"Fn::GetAtt":\["TablesConnections[0-9A-F]+","Arn"\]\}$/)).toEqual(
        sorted(WEBSOCKET_DYNAMODB_ACTIONS.connections),
      );
      expect(actionsOn(statements, /\/index\/owner-index/)).toEqual(
        sorted(WEBSOCKET_DYNAMODB_ACTIONS.connectionsIndexes),
      );
      expect(actionsOn(statements, /TablesUsers|TablesItems/)).toEqual([]);
      expect(actionsOn(statements, /JwtSigningKey/)).toEqual(['secretsmanager:GetSecretValue']);
      const manage = statements.filter((s) => s.Action === 'execute-api:ManageConnections');
      expect(manage).toHaveLength(1);
      expect(manage[0]?.Resource).toEqual(manageConnections(['POST', 'DELETE']));
    });

    it('publisher: its grants, the items stream only through the mapping, its failure queue, posts on this stage', () => {
      const statements = statementsOfRole(template, 'SubscriptionsPublisherExecutionRole');
      expect(actionsOn(statements, /^\{"Fn::GetAtt":\["TablesConnections[0-9A-F]+","Arn"\]\}$/)).toEqual(
        sorted(PUBLISHER_DYNAMODB_ACTIONS.connections),
      );
      expect(actionsOn(statements, /\/index\/owner-index/)).toEqual(
        sorted(PUBLISHER_DYNAMODB_ACTIONS.connectionsIndexes),
      );
      expect(actionsOn(statements, /^\{"Fn::GetAtt":\["TablesUsers[0-9A-F]+","Arn"\]\}$/)).toEqual(
        sorted(PUBLISHER_DYNAMODB_ACTIONS.users),
      );
      expect(actionsOn(statements, /"TablesItems[0-9A-F]+","Arn"/)).toEqual([]);
      expect(actionsOn(statements, /"TablesItems[0-9A-F]+","StreamArn"/)).toEqual([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ]);
      expect(actionsOn(statements, /SubscriptionsPublisherFailures/)).toEqual([
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]);
      expect(actionsOn(statements, /JwtSigningKey/)).toEqual([]);
      const manage = statements.filter((s) => s.Action === 'execute-api:ManageConnections');
      expect(manage).toHaveLength(1);
      expect(manage[0]?.Resource).toEqual(manageConnections(['POST'])[0]);
    });

    it('REST function: nothing on the connections table, nothing of the WebSocket API', () => {
      const statements = statementsOfRole(template, 'ServiceExecutionRole');
      expect(actionsOn(statements, /TablesConnections/)).toEqual([]);
      expect(statements.filter((s) => String(s.Action).startsWith('execute-api:'))).toEqual([]);
    });

    it('keeps ManageConnections out of the default policies the functions depend on (no dependency cycle)', () => {
      const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) =>
        JSON.stringify(propertiesOf(p).PolicyDocument).includes('execute-api:ManageConnections'),
      );
      expect(policies.map(([id]) => id).sort()).toEqual([
        expect.stringMatching(/^SubscriptionsPublisherManageConnections/),
        expect.stringMatching(/^SubscriptionsWebSocketManageConnections/),
      ]);
    });
  });
});

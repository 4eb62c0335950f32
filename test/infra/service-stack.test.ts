import { App } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp } from '../../infra/service-app.js';
import { DYNAMODB_ACTIONS, OWNER_ID_INDEX, USERNAME_INDEX } from '../../src/storage/tables.js';
import { getAtt, nagViolations, propertiesOf, resourcesOf, resourceWith, synth, type Json } from './synth.js';

// One synth per context, shared by the tests of a describe (synth stages the image context).

describe('Stack: ServiceStack (defaults)', () => {
  let template: Template;
  let text: string;

  beforeAll(() => {
    ({ template, text } = synth());
  });

  describe('DynamoDB tables', () => {
    it('builds the users table from tables.ts: key id, username-index, on-demand, TTL, PITR, protected, retained', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          TableName: 'basic-item-crud-dev-v2-users',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              IndexName: USERNAME_INDEX,
              KeySchema: [{ AttributeName: 'username', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          // Refresh tokens and other rows that expire carry it (issue 14).
          TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        },
      });
    });

    it('builds the items table with owner-id-index sorted by created_at, TTL and a new-and-old-images stream', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: 'basic-item-crud-dev-v2-items',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            Match.objectLike({
              IndexName: OWNER_ID_INDEX,
              KeySchema: [
                { AttributeName: 'owner_id', KeyType: 'HASH' },
                { AttributeName: 'created_at', KeyType: 'RANGE' },
              ],
            }),
          ],
          TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        }),
      });
      // users, items and the WebSocket connections (test/infra/subscriptions.test.ts).
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
    });

    it('streams only the items table: the users table has no stream', () => {
      const users = resourceWith(
        template,
        'AWS::DynamoDB::GlobalTable',
        'TableName',
        'basic-item-crud-dev-v2-users',
      );
      expect(propertiesOf(users).StreamSpecification).toBeUndefined();
    });
  });

  describe('Lambda function (REST and GraphQL)', () => {
    it('runs the container image with memory, timeout and the environment the service reads', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'basic-item-crud-dev-v2',
        PackageType: 'Image',
        ImageConfig: { Command: ['index.handler'] },
        Architectures: ['x86_64'],
        MemorySize: 512,
        Timeout: 29,
        Environment: {
          Variables: {
            USERS_TABLE: { Ref: Match.stringLikeRegexp('^TablesUsers') },
            ITEMS_TABLE: { Ref: Match.stringLikeRegexp('^TablesItems') },
            CONNECTIONS_TABLE: { Ref: Match.stringLikeRegexp('^TablesConnections') },
            REGION: { Ref: 'AWS::Region' },
            ALLOWED_ORIGINS: '',
            JWT_SECRET_ARN: { Ref: Match.stringLikeRegexp('^JwtSigningKey') },
            LOG_LEVEL: 'info',
            NODE_ENV: 'production',
            METRICS_NAMESPACE: 'basic-item-crud',
            POWERTOOLS_SERVICE_NAME: 'basic-item-crud-dev',
            TRACING: 'full',
            // The GraphQL IDE's subscriptions endpoint: the WebSocket stage's wss:// URL.
            WEBSOCKET_URL: {
              'Fn::Join': [
                '',
                [
                  'wss://',
                  { Ref: Match.stringLikeRegexp('^SubscriptionsApi') },
                  '.execute-api.',
                  { Ref: 'AWS::Region' },
                  '.',
                  { Ref: 'AWS::URLSuffix' },
                  '/dev',
                ],
              ],
            },
          },
        },
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ServiceLogs') } },
      });
      // This one, the WebSocket function and the stream publisher (subscriptions.test.ts).
      template.resourceCountIs('AWS::Lambda::Function', 3);
    });

    it('has no function URL: every request goes through API Gateway', () => {
      template.resourceCountIs('AWS::Lambda::Url', 0);
      expect(text).not.toContain('FunctionUrl');
    });

    it('may be invoked by API Gateway only, through the two proxy methods of this API', () => {
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission')
        .map(([, permission]) => permission)
        .filter((permission) =>
          JSON.stringify(propertiesOf(permission).FunctionName).includes('ServiceFunction'),
        );
      expect(permissions).toHaveLength(2);
      for (const permission of permissions) {
        expect(permission).toMatchObject({
          Properties: { Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' },
        });
        // Scoped to this API's deployed stage: not another API, not the console's test-invoke.
        const sourceArn = JSON.stringify((permission.Properties as Json).SourceArn);
        expect(sourceArn).toMatch(/"Ref":"ApiRestApi[0-9A-F]+"\},"\/",\{"Ref":"ApiRestApiDeploymentStagedev/);
        expect(sourceArn).not.toContain('test-invoke-stage');
      }
    });
  });

  describe('JWT signing key', () => {
    it('is a generated Secrets Manager secret, referenced by ARN', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      });
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    });

    it('never appears as a value: no SecretString, no JWT_SECRET, no dynamic reference', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: Match.absent() });
      expect(text).not.toMatch(/"SecretString"/);
      expect(text).not.toContain('"JWT_SECRET"');
      expect(text).not.toMatch(/resolve:secretsmanager/);
    });
  });

  describe('IAM', () => {
    it('grants exactly the DynamoDB actions the code sends, on exactly its tables and indexes, and nothing else', () => {
      const policies = template.findResources('AWS::IAM::Policy');
      const executionPolicies = Object.entries(policies).filter(([id]) =>
        id.startsWith('ServiceExecutionRole'),
      );
      expect(executionPolicies).toHaveLength(1);
      const document = (executionPolicies[0]?.[1] as { Properties: { PolicyDocument: Json } }).Properties
        .PolicyDocument;
      const asList = (actions: readonly string[]) => (actions.length === 1 ? actions[0] : [...actions]);

      expect(document).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLogs/), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: asList(DYNAMODB_ACTIONS.users),
            Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TablesUsers/), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: asList(DYNAMODB_ACTIONS.usersIndexes),
            Resource: {
              'Fn::Join': [
                '',
                [
                  { 'Fn::GetAtt': [expect.stringMatching(/^TablesUsers/), 'Arn'] },
                  `/index/${USERNAME_INDEX}`,
                ],
              ],
            },
          },
          {
            Effect: 'Allow',
            Action: asList(DYNAMODB_ACTIONS.items),
            Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TablesItems/), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: asList(DYNAMODB_ACTIONS.itemsIndexes),
            Resource: {
              'Fn::Join': [
                '',
                [
                  { 'Fn::GetAtt': [expect.stringMatching(/^TablesItems/), 'Arn'] },
                  `/index/${OWNER_ID_INDEX}`,
                ],
              ],
            },
          },
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: { Ref: expect.stringMatching(/^JwtSigningKey/) },
          },
          {
            // Active tracing: X-Ray's two write actions have no resource-level permissions.
            Effect: 'Allow',
            Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            Resource: '*',
          },
        ],
      });
    });

    it('gives every function its own role with no managed policy (no AWSLambdaBasicExecutionRole)', () => {
      const lambdaRoles = resourcesOf(template, 'AWS::IAM::Role').filter(([, role]) =>
        JSON.stringify(propertiesOf(role).AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
      );
      expect(lambdaRoles).toHaveLength(3);
      for (const [, role] of lambdaRoles) expect(propertiesOf(role).ManagedPolicyArns).toBeUndefined();
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'basic-item-crud-dev-v2',
        Role: getAtt('ServiceExecutionRole'),
      });
    });
  });

  describe('API Gateway', () => {
    it('is a regional REST API with response compression from 1 KiB', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: 'basic-item-crud-dev-v2-api',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        MinimumCompressionSize: 1024,
      });
    });

    it('passes base64 bodies as bytes, so precompressed assets reach browsers intact', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
    });

    it('proxies ANY / and ANY /{proxy+} to the function', () => {
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
      template.resourceCountIs('AWS::ApiGateway::Method', 2);
      const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Json[];
      for (const method of methods) {
        expect(method).toMatchObject({
          Properties: {
            HttpMethod: 'ANY',
            AuthorizationType: 'NONE',
            Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
          },
        });
      }
      const resources = methods.map((m) => JSON.stringify((m.Properties as Json).ResourceId));
      expect(resources.some((r) => r.includes('RootResourceId'))).toBe(true);
      expect(resources.some((r) => r.includes('ApiRestApiproxy'))).toBe(true);
    });

    it('has one stage named after the environment, throttled, with execution logging and metrics', () => {
      template.resourceCountIs('AWS::ApiGateway::Stage', 1);
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'dev',
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            MetricsEnabled: true,
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
          },
        ],
      });
    });

    it('writes JSON access logs to their own log group, without query strings or headers', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        AccessLogSetting: {
          DestinationArn: getAtt('ApiAccessLogs'),
          Format: Match.anyValue(),
        },
      });
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as Json;
      const format = JSON.parse(
        ((stage.Properties as Json).AccessLogSetting as Json).Format as string,
      ) as Json;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        httpMethod: '$context.httpMethod',
        path: '$context.path',
        status: '$context.status',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
      });
      expect(JSON.stringify(format)).not.toMatch(/querystring|header|body|authorizer/i);
    });

    it('has the account-level CloudWatch role execution logging needs', () => {
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    it('creates the execution-log group itself, with retention, before the stage logs to it', () => {
      const [[groupId]] = resourcesOf(template, 'AWS::Logs::LogGroup').filter(([, group]) =>
        JSON.stringify(propertiesOf(group).LogGroupName).includes('API-Gateway-Execution-Logs_'),
      ) as [[string, Json]];
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: {
          'Fn::Join': [
            '',
            ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^ApiRestApi') }, '/dev'],
          ],
        },
        RetentionInDays: 14,
      });
      const [[, stage]] = resourcesOf(template, 'AWS::ApiGateway::Stage') as [[string, Json]];
      expect(stage.DependsOn).toContain(groupId);
    });
  });

  describe('Logs', () => {
    it('keeps every log group 14 days, named after its function or API', () => {
      const groups = resourcesOf(template, 'AWS::Logs::LogGroup').map(([, group]) => propertiesOf(group));
      expect(
        groups
          .filter((g) => typeof g.LogGroupName === 'string')
          .map((g) => g.LogGroupName)
          .sort(),
      ).toEqual([
        '/aws/apigateway/basic-item-crud-dev-v2-ws/access',
        '/aws/apigateway/basic-item-crud-dev-v2/access',
        '/aws/lambda/basic-item-crud-dev-v2',
        '/aws/lambda/basic-item-crud-dev-v2-publisher',
        '/aws/lambda/basic-item-crud-dev-v2-websocket',
      ]);
      // Plus the two execution-log groups named after the APIs' generated ids.
      expect(groups).toHaveLength(7);
      for (const group of groups) expect(group.RetentionInDays).toBe(14);
    });
  });

  describe('Outputs', () => {
    it('gives what an operator needs: URLs, the REST API id, table and function names, alarms, dashboard', () => {
      const outputs = template.toJSON().Outputs as Json;
      expect(Object.keys(outputs).sort()).toEqual([
        'AlarmTopicArn',
        'ConnectionsTableName',
        'DashboardName',
        'FunctionName',
        'InvokeUrl',
        'ItemsTableName',
        'RestApiId',
        'UsersTableName',
        'WebSocketUrl',
      ]);
      expect(JSON.stringify(outputs.InvokeUrl)).toMatch(/execute-api.*ApiRestApiDeploymentStagedev/);
      template.hasOutput('RestApiId', { Value: { Ref: Match.stringLikeRegexp('^ApiRestApi[0-9A-F]+$') } });
      expect(JSON.stringify(outputs.WebSocketUrl)).toMatch(
        /"wss:\/\/",\{"Ref":"SubscriptionsApi[0-9A-F]+"\}.*"\/dev"/,
      );
      template.hasOutput('UsersTableName', { Value: { Ref: Match.stringLikeRegexp('^TablesUsers') } });
      template.hasOutput('ItemsTableName', { Value: { Ref: Match.stringLikeRegexp('^TablesItems') } });
      template.hasOutput('ConnectionsTableName', {
        Value: { Ref: Match.stringLikeRegexp('^TablesConnections') },
      });
      template.hasOutput('FunctionName', { Value: { Ref: Match.stringLikeRegexp('^ServiceFunction') } });
      template.hasOutput('AlarmTopicArn', {
        Value: { Ref: Match.stringLikeRegexp('^AlarmTopic[0-9A-F]+$') },
      });
      template.hasOutput('DashboardName', { Value: { Ref: Match.stringLikeRegexp('^Dashboard') } });
    });
  });

  describe('Tags and registry scanning', () => {
    it('tags resources with the application and the environment', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Tags: Match.arrayWith([
          { Key: 'application', Value: 'basic-item-crud' },
          { Key: 'environment', Value: 'dev' },
        ]),
      });
    });

    it('leaves the account-wide ECR scanning configuration alone unless asked', () => {
      template.resourceCountIs('AWS::ECR::RegistryScanningConfiguration', 0);
    });
  });
});

describe('Stack: ServiceStack (context as a user passes it with -c)', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synth({
      appName: 'shop',
      environment: 'prod',
      lambdaMemorySize: '1024',
      lambdaTimeout: '20',
      allowedOrigins: 'https://app.example.com, https://admin.example.com',
      tags: '{"team":"web","cost-center":"42"}',
      logLevel: 'warn',
      logRetentionDays: '30',
      deletionProtection: 'false',
      throttlingRateLimit: '500',
      throttlingBurstLimit: '1000',
      registryScanOnPush: 'true',
    }));
  });

  it('names everything after appName and environment and sizes the function from context', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shop-prod-v2',
      MemorySize: 1024,
      Timeout: 20,
      Environment: {
        Variables: Match.objectLike({
          ALLOWED_ORIGINS: 'https://app.example.com,https://admin.example.com',
          LOG_LEVEL: 'warn',
        }),
      },
    });
    const fn = resourceWith(template, 'AWS::Lambda::Function', 'FunctionName', 'shop-prod-v2');
    expect(propertiesOf(fn).Tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'web' },
        { Key: 'cost-center', Value: '42' },
        { Key: 'environment', Value: 'prod' },
      ]),
    );
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 })],
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'shop-prod-v2-users',
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it("keeps the tables of users' data when deletion protection is off: RETAIN does not depend on it", () => {
    const policies = Object.fromEntries(
      resourcesOf(template, 'AWS::DynamoDB::GlobalTable').map(([, t]) => [
        propertiesOf(t).TableName,
        t.DeletionPolicy,
      ]),
    );
    expect(policies).toEqual({
      'shop-prod-v2-users': 'Retain',
      'shop-prod-v2-items': 'Retain',
      // Ephemeral: sockets that no longer exist are worth nothing after the stack.
      'shop-prod-v2-connections': 'Delete',
    });
  });

  it('turns on scan-on-push for the CDK asset repositories when registryScanOnPush=true', () => {
    template.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'BASIC',
      Rules: [
        {
          ScanFrequency: 'SCAN_ON_PUSH',
          RepositoryFilters: [{ Filter: 'cdk-*-container-assets-*', FilterType: 'WILDCARD' }],
        },
      ],
    });
  });
});

describe('Validation: cdk-nag AwsSolutions and Serverless', () => {
  it.each([
    ['the defaults', {}],
    [
      'every option on',
      { waf: 'true', alarmEmail: 'ops@example.com', reservedConcurrency: '20', tracing: 'full' },
    ],
    ['tracing off', { tracing: 'off' }],
  ])('reports no finding at all, errors or warnings, for %s', (_name, context) => {
    expect(nagViolations(context)).toEqual([]);
  });

  it('reports none either with the account and region cdk deploy resolves (findings name them)', () => {
    // Prepare: what the CDK CLI exports for a deploy (`npm run synth` sets a default region).
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    try {
      // Act / Assess
      expect(nagViolations({ waf: 'true' })).toEqual([]);
    } finally {
      for (const [key, value] of [
        ['CDK_DEFAULT_ACCOUNT', saved.account],
        ['CDK_DEFAULT_REGION', saved.region],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('fails synth on a finding nobody acknowledged', () => {
    const { stack } = createServiceApp(new App());
    new Bucket(stack, 'UncheckedBucket');
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-S1/);
  });

  it('runs the Serverless pack too: a log group without retention fails synth', () => {
    const { stack } = createServiceApp(new App());
    new CfnLogGroup(stack, 'ForeverLogs', {});
    expect(() => Template.fromStack(stack)).toThrow(/Serverless-CloudWatchLogGroupRetentionPeriod/);
  });
});

describe('Function: readSettings (through the app)', () => {
  it.each([
    [{ environment: 'Prod!' }, /context environment must be 1-15 of a-z/],
    [
      { lambdaMemorySize: '64' },
      /context lambdaMemorySize must be an integer from 128 to 10240 \(got "64"\)/,
    ],
    [{ lambdaTimeout: 'soon' }, /context lambdaTimeout must be an integer/],
    [{ allowedOrigins: 'app.example.com' }, /context allowedOrigins must hold origins/],
    [{ allowedOrigins: '*,https://a.example' }, /context allowedOrigins may be \* alone/],
    [{ tags: '{"team":1}' }, /context tags must be a JSON object of strings/],
    [{ logRetentionDays: '10' }, /context logRetentionDays must be one of 1, 3, 5, 7, 14/],
    [{ deletionProtection: 'maybe' }, /context deletionProtection must be true or false/],
    [
      { appName: 'a-very-long-application-name-for-this', environment: 'staging-europe' },
      /context environment with appName must make "<appName>-<environment>" at most 50 characters/,
    ],
    [{ tracing: 'on' }, /context tracing must be one of off, active, full \(got "on"\)/],
    [{ reservedConcurrency: '0' }, /context reservedConcurrency must be an integer from 1 to 10000/],
    [{ reservedConcurrency: 'lots' }, /context reservedConcurrency must be an integer/],
    [{ alarmEmail: 'ops' }, /context alarmEmail must be one e-mail address like ops@example.com/],
    [{ alarmEmail: 'a@example.com,b@example.com' }, /context alarmEmail must be one e-mail address/],
    [{ latencyP99Ms: '30000' }, /context latencyP99Ms must be an integer from 10 to 29000/],
    [{ failedLoginsPerMinute: '0' }, /context failedLoginsPerMinute must be an integer from 1/],
    [{ waf: 'yes' }, /context waf must be true or false/],
    [{ wafRateLimitPerIp: '5' }, /context wafRateLimitPerIp must be an integer from 10 to 2000000000/],
    [{ wafRateLimitPerToken: '1.5' }, /context wafRateLimitPerToken must be an integer/],
  ])('refuses %j with one line naming the key', (context, message) => {
    // Prepare / Act / Assess: a bad context value fails before anything is synthesized.
    expect(() => createServiceApp(new App({ context }))).toThrow(message);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp } from '../../infra/service-app.js';
import { DYNAMODB_ACTIONS, OWNER_ID_INDEX, USERNAME_INDEX } from '../../src/storage/tables.js';

type Json = Record<string, unknown>;

/** One synth per context, shared by every test of this file (synth stages the image context). */
function synth(context: Record<string, unknown> = {}): { template: Template; json: Json; text: string } {
  const { stack } = createServiceApp(new App({ context }));
  const template = Template.fromStack(stack);
  const json = template.toJSON() as Json;
  return { template, json, text: JSON.stringify(json) };
}

const getAtt = (logicalIdPrefix: string) => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(`^${logicalIdPrefix}`), 'Arn'],
});

describe('Stack: ServiceStack (defaults)', () => {
  let template: Template;
  let text: string;

  beforeAll(() => {
    ({ template, text } = synth());
  });

  describe('DynamoDB tables', () => {
    it('builds the users table from tables.ts: key id, username-index, on-demand, PITR, protected, retained', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          TableName: 'basic-item-crud-dev-users',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              IndexName: USERNAME_INDEX,
              KeySchema: [{ AttributeName: 'username', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        },
      });
    });

    it('builds the items table with owner-id-index sorted by created_at', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: 'basic-item-crud-dev-items',
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
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        }),
      });
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    });
  });

  describe('Lambda function', () => {
    it('runs the container image with memory, timeout and the environment the service reads', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'basic-item-crud-dev',
        PackageType: 'Image',
        Architectures: ['x86_64'],
        MemorySize: 512,
        Timeout: 29,
        Environment: {
          Variables: {
            USERS_TABLE: { Ref: Match.stringLikeRegexp('^TablesUsers') },
            ITEMS_TABLE: { Ref: Match.stringLikeRegexp('^TablesItems') },
            REGION: { Ref: 'AWS::Region' },
            ALLOWED_ORIGINS: '',
            JWT_SECRET_ARN: { Ref: Match.stringLikeRegexp('^ServiceJwtSigningKey') },
            LOG_LEVEL: 'info',
            NODE_ENV: 'production',
          },
        },
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ServiceLogs') } },
      });
      template.resourceCountIs('AWS::Lambda::Function', 1);
    });

    it('has no function URL: every request goes through API Gateway', () => {
      template.resourceCountIs('AWS::Lambda::Url', 0);
      expect(text).not.toContain('FunctionUrl');
    });

    it('may be invoked by API Gateway only, through the two proxy methods of this API', () => {
      const permissions = template.findResources('AWS::Lambda::Permission');
      expect(Object.keys(permissions)).toHaveLength(2);
      for (const permission of Object.values(permissions) as Json[]) {
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
    it('grants exactly the DynamoDB actions the code sends, on exactly its tables and index, and nothing else', () => {
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
            Resource: { Ref: expect.stringMatching(/^ServiceJwtSigningKey/) },
          },
        ],
      });
    });

    it('gives the function its own role with no managed policy (no AWSLambdaBasicExecutionRole)', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        }),
        ManagedPolicyArns: Match.absent(),
      });
      template.hasResourceProperties('AWS::Lambda::Function', { Role: getAtt('ServiceExecutionRole') });
    });
  });

  describe('API Gateway', () => {
    it('is a regional REST API with response compression from 1 KiB', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: 'basic-item-crud-dev',
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
  });

  describe('Logs', () => {
    it('keeps function and access logs 14 days, in log groups named after the function and the API', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/aws/lambda/basic-item-crud-dev',
        RetentionInDays: 14,
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/aws/apigateway/basic-item-crud-dev/access',
        RetentionInDays: 14,
      });
      template.resourceCountIs('AWS::Logs::LogGroup', 2);
    });
  });

  describe('Outputs', () => {
    it('gives the invoke URL (stage included), the table names and the function name', () => {
      const outputs = template.toJSON().Outputs as Json;
      expect(Object.keys(outputs).sort()).toEqual([
        'FunctionName',
        'InvokeUrl',
        'ItemsTableName',
        'UsersTableName',
      ]);
      expect(JSON.stringify(outputs.InvokeUrl)).toMatch(/execute-api.*ApiRestApiDeploymentStagedev/);
      template.hasOutput('UsersTableName', { Value: { Ref: Match.stringLikeRegexp('^TablesUsers') } });
      template.hasOutput('ItemsTableName', { Value: { Ref: Match.stringLikeRegexp('^TablesItems') } });
      template.hasOutput('FunctionName', { Value: { Ref: Match.stringLikeRegexp('^ServiceFunction') } });
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
      FunctionName: 'shop-prod',
      MemorySize: 1024,
      Timeout: 20,
      Environment: {
        Variables: Match.objectLike({
          ALLOWED_ORIGINS: 'https://app.example.com,https://admin.example.com',
          LOG_LEVEL: 'warn',
        }),
      },
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: Json };
    expect(fn.Properties.Tags).toEqual(
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
      TableName: 'shop-prod-users',
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('keeps the tables when deletion protection is off: RETAIN does not depend on it', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as Json[];
    expect(tables.map((t) => t.DeletionPolicy)).toEqual(['Retain', 'Retain']);
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

describe('Validation: cdk-nag AwsSolutions', () => {
  it('reports no finding at all, errors or warnings, for the stack as built', () => {
    const { app } = createServiceApp(new App());
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  it('fails synth on a finding nobody acknowledged', () => {
    const { stack } = createServiceApp(new App());
    new Bucket(stack, 'UncheckedBucket');
    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-S1/);
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
  ])('refuses %j with one line naming the key', (context, message) => {
    // Prepare / Act / Assess: a bad context value fails before anything is synthesized.
    expect(() => createServiceApp(new App({ context }))).toThrow(message);
  });
});

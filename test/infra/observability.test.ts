import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_ROWS } from '../../infra/observability/dashboard.js';
import { TROUBLESHOOTING } from '../../infra/observability/alarms.js';
import { METRICS } from '../../src/observability/metric-catalog.js';
import { propertiesOf, resourcesOf, resourceWith, synth, type Json } from './synth.js';

const FUNCTIONS = [
  'basic-item-crud-dev-v2',
  'basic-item-crud-dev-v2-websocket',
  'basic-item-crud-dev-v2-publisher',
];

function functionsOf(template: Template): Json[] {
  return resourcesOf(template, 'AWS::Lambda::Function').map(([, fn]) => propertiesOf(fn));
}

function alarmNamed(template: Template, suffix: string): Json {
  return propertiesOf(
    resourceWith(template, 'AWS::CloudWatch::Alarm', 'AlarmName', `basic-item-crud-dev-v2-${suffix}`),
  );
}

/** The one metric an alarm watches (in either of CloudFormation's two shapes for it). */
function watched(alarm: Json): Json {
  const [single] = ((alarm.Metrics as Json[] | undefined) ?? []).filter((m) => m.MetricStat);
  if (single) {
    const stat = single.MetricStat as { Metric: Json; Period: number; Stat: string };
    return {
      namespace: stat.Metric.Namespace,
      name: stat.Metric.MetricName,
      dimensions: stat.Metric.Dimensions,
      statistic: stat.Stat,
      period: stat.Period,
    };
  }
  return {
    namespace: alarm.Namespace,
    name: alarm.MetricName,
    dimensions: alarm.Dimensions,
    statistic: alarm.Statistic ?? alarm.ExtendedStatistic,
    period: alarm.Period,
  };
}

describe('Operations: tracing', () => {
  it.each([
    ['by default', {}, 'full'],
    ['with -c tracing=active', { tracing: 'active' }, 'active'],
  ])('traces every function and the REST stage %s, and tells the code in TRACING', (_case, context, mode) => {
    const { template } = synth(context);
    const functions = functionsOf(template);
    expect(functions.map((fn) => fn.FunctionName).sort()).toEqual([...FUNCTIONS].sort());
    for (const fn of functions) {
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect((fn.Environment as { Variables: Json }).Variables.TRACING).toBe(mode);
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    // API Gateway WebSocket stages have no X-Ray setting at all.
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { TracingEnabled: Match.absent() });
  });

  it('turns tracing off everywhere with -c tracing=off', () => {
    const { template } = synth({ tracing: 'off' });
    for (const fn of functionsOf(template)) {
      expect(fn.TracingConfig).toBeUndefined();
      expect((fn.Environment as { Variables: Json }).Variables.TRACING).toBe('off');
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
    expect(JSON.stringify(template.toJSON())).not.toContain('xray:PutTraceSegments');
  });
});

describe('Operations: reserved concurrency', () => {
  it('reserves none by default', () => {
    const { template } = synth();
    for (const fn of functionsOf(template)) expect(fn.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('caps the REST function (only) with -c reservedConcurrency', () => {
    const { template } = synth({ reservedConcurrency: '25' });
    const byName = Object.fromEntries(
      functionsOf(template).map((fn) => [fn.FunctionName, fn.ReservedConcurrentExecutions]),
    );
    expect(byName).toEqual({
      'basic-item-crud-dev-v2': 25,
      'basic-item-crud-dev-v2-websocket': undefined,
      'basic-item-crud-dev-v2-publisher': undefined,
    });
  });
});

describe('Operations: alarm topic', () => {
  it('encrypts the topic with a rotated key of its own that CloudWatch may use, and refuses publishers without TLS', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/basic-item-crud-dev-v2-alarms' });
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'basic-item-crud-dev-v2-alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes -c alarmEmail by e-mail', () => {
    const { template } = synth({ alarmEmail: 'ops@example.com' });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic[0-9A-F]+$') },
    });
  });
});

describe('Operations: alarms', () => {
  let template: Template;
  let alarms: Json[];

  beforeAll(() => {
    ({ template } = synth());
    alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => propertiesOf(a));
  });

  it('sends every alarm, and its return to OK, to the alarm topic; no data is never an alarm', () => {
    expect(alarms).toHaveLength(18);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic[0-9A-F]+$/) }]);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.EvaluationPeriods).toBe(1);
    }
  });

  it('says in each description what it means, what to check first and which troubleshooting entry to read', () => {
    const titles = Object.values(TROUBLESHOOTING);
    for (const alarm of alarms) {
      const description = alarm.AlarmDescription as string;
      expect(description).toMatch(/\. Check first: .+\. docs\/operations\.md, Troubleshooting: ".+"\.$/);
      expect(titles.some((title) => description.endsWith(`"${title}".`))).toBe(true);
      expect(description.length).toBeLessThanOrEqual(1024);
    }
  });

  it('points only to troubleshooting entries that docs/operations.md has', () => {
    const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    for (const title of Object.values(TROUBLESHOOTING)) expect(operations).toContain(`- **${title}**:`);
  });

  it('API 5XX rate: 5XXError / Count of the REST stage over 5 minutes, above 1 %', () => {
    const alarm = alarmNamed(template, 'api-5xx-rate');
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' });
    const metrics = alarm.Metrics as Json[];
    expect(metrics.find((m) => m.ReturnData !== false)?.Expression).toBe(
      'IF(requests > 0, 100 * errors / requests, 0)',
    );
    const stat = (id: string) => (metrics.find((m) => m.Id === id)?.MetricStat as Json | undefined) ?? {};
    for (const [id, name] of [
      ['errors', '5XXError'],
      ['requests', 'Count'],
    ] as const) {
      expect(stat(id)).toEqual({
        Metric: {
          Namespace: 'AWS/ApiGateway',
          MetricName: name,
          Dimensions: [
            { Name: 'ApiName', Value: 'basic-item-crud-dev-v2-api' },
            { Name: 'Stage', Value: { Ref: expect.stringMatching(/^ApiRestApiDeploymentStagedev/) } },
          ],
        },
        Period: 300,
        Stat: 'Sum',
      });
    }
  });

  it('API p99 latency: above latencyP99Ms (1000 ms by default, from context otherwise) for 5 minutes', () => {
    const alarm = alarmNamed(template, 'api-latency-p99');
    expect(watched(alarm)).toMatchObject({
      namespace: 'AWS/ApiGateway',
      name: 'Latency',
      statistic: 'p99',
      period: 300,
    });
    expect(alarm).toMatchObject({ Threshold: 1000, ComparisonOperator: 'GreaterThanThreshold' });
    const custom = synth({ latencyP99Ms: '750' }).template;
    expect(alarmNamed(custom, 'api-latency-p99').Threshold).toBe(750);
  });

  it.each(['api', 'websocket', 'publisher'])(
    '%s function: any Errors, any Throttles in 5 minutes',
    (kind) => {
      for (const metric of ['Errors', 'Throttles']) {
        const alarm = alarmNamed(template, `${kind}-function-${metric.toLowerCase()}`);
        expect(watched(alarm)).toMatchObject({
          namespace: 'AWS/Lambda',
          name: metric,
          statistic: 'Sum',
          period: 300,
        });
        expect(JSON.stringify(watched(alarm).dimensions)).toMatch(
          kind === 'api'
            ? /"ServiceFunction[0-9A-F]+"/
            : new RegExp(`"Subscriptions${kind === 'websocket' ? 'WebSocket' : 'Publisher'}Function`),
        );
        expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      }
    },
  );

  it.each(['users', 'items', 'connections'])(
    '%s table: ThrottledRequests and SystemErrors summed over every operation the functions send',
    (table) => {
      for (const [suffix, metricName] of [
        ['throttles', 'ThrottledRequests'],
        ['system-errors', 'SystemErrors'],
      ] as const) {
        const alarm = alarmNamed(template, `${table}-table-${suffix}`);
        const metrics = alarm.Metrics as Json[];
        const operations = metrics
          .filter((m) => m.MetricStat)
          .map((m) => {
            const metric = (m.MetricStat as { Metric: Json }).Metric;
            expect(metric.MetricName).toBe(metricName);
            const dims = metric.Dimensions as { Name: string; Value: unknown }[];
            expect(JSON.stringify(dims.find((d) => d.Name === 'TableName')?.Value)).toContain(
              `Tables${table.charAt(0).toUpperCase()}${table.slice(1)}`,
            );
            return dims.find((d) => d.Name === 'Operation')?.Value;
          });
        expect(operations.length).toBeGreaterThan(0);
        if (table === 'items')
          expect(operations).toEqual(expect.arrayContaining(['PutItem', 'Query', 'GetRecords']));
        expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      }
    },
  );

  it("failed logins: the service's LoginsFailed per minute above failedLoginsPerMinute (50 by default)", () => {
    const alarm = alarmNamed(template, 'failed-logins');
    expect(watched(alarm)).toEqual({
      namespace: 'basic-item-crud',
      name: METRICS.loginsFailed.name,
      dimensions: [{ Name: 'service', Value: 'basic-item-crud-dev' }],
      statistic: 'Sum',
      period: 60,
    });
    expect(alarm).toMatchObject({ Threshold: 50, ComparisonOperator: 'GreaterThanThreshold' });
    const custom = synth({ failedLoginsPerMinute: '200', appName: 'shop', environment: 'prod' }).template;
    const customAlarm = propertiesOf(
      resourceWith(custom, 'AWS::CloudWatch::Alarm', 'AlarmName', 'shop-prod-v2-failed-logins'),
    );
    expect(customAlarm.Threshold).toBe(200);
    expect(watched(customAlarm)).toMatchObject({
      namespace: 'shop',
      dimensions: [{ Name: 'service', Value: 'shop-prod' }],
    });
  });

  it('publisher: iterator age above 60 s, any failed post, any record given up', () => {
    expect(watched(alarmNamed(template, 'publisher-iterator-age'))).toMatchObject({
      namespace: 'AWS/Lambda',
      name: 'IteratorAge',
      statistic: 'Maximum',
    });
    expect(alarmNamed(template, 'publisher-iterator-age').Threshold).toBe(60_000);
    expect(watched(alarmNamed(template, 'publisher-posts-failed'))).toEqual({
      namespace: 'basic-item-crud',
      name: METRICS.publisherPostsFailed.name,
      dimensions: [{ Name: 'service', Value: 'basic-item-crud-dev' }],
      statistic: 'Sum',
      period: 300,
    });
    expect(watched(alarmNamed(template, 'publisher-failures-queued'))).toMatchObject({
      namespace: 'AWS/SQS',
      name: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
    });
  });
});

describe('Operations: dashboard', () => {
  it('is named <prefix> and has one row per concern, alarms on top', () => {
    const { template } = synth();
    const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard') as [[string, Json]];
    expect(propertiesOf(dashboard).DashboardName).toBe('basic-item-crud-dev-v2');
    const body = JSON.stringify(propertiesOf(dashboard).DashboardBody);
    const headers = [...body.matchAll(/\\"markdown\\":\\"### ([^\\]+)\\"/g)].map((m) => m[1]);
    expect(headers).toEqual([...DASHBOARD_ROWS]);
    for (const metric of [
      '5XXError',
      'IntegrationLatency',
      'ConcurrentExecutions',
      'ThrottledRequests',
      'SystemErrors',
      'ConsumedWriteCapacityUnits',
      'ConnectCount',
      'IteratorAge',
      METRICS.loginsFailed.name,
      METRICS.itemsCreated.name,
      METRICS.publisherPosts.name,
      METRICS.coldStarts.name,
    ]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    expect(body).toContain(`MetricName=\\\\\\"${METRICS.requests.name}\\\\\\"`);
  });
});

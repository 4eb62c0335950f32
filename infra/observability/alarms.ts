import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Stats,
  TreatMissingData,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionKind, TableName } from '../../src/storage/tables.js';
import type { PhysicalNames } from '../naming.js';
import {
  FIVE_MINUTES,
  ONE_MINUTE,
  serviceMetric,
  tableSystemErrors,
  tableThrottles,
  type MetricsScope,
} from './service-metrics.js';

/** Troubleshooting entries of docs/operations.md, by title: each alarm's description sends the operator to one. */
export const TROUBLESHOOTING = {
  api5xx: 'The API answers 5XX',
  latency: 'The API is slow',
  functionErrors: 'A function reports Errors',
  functionThrottles: 'A function is throttled',
  dynamoDbThrottles: 'DynamoDB throttles requests',
  dynamoDbSystemErrors: 'DynamoDB system errors',
  failedLogins: 'A spike of failed logins',
  subscriptions: 'Subscriptions stopped arriving',
} as const;

export interface ServiceAlarmsProps {
  readonly names: PhysicalNames;
  readonly topic: ITopic;
  readonly restStage: Stage;
  readonly functions: Readonly<Record<FunctionKind, IFunction>>;
  readonly tables: Readonly<Record<TableName, TableV2>>;
  readonly publisherFailures: IQueue;
  readonly metrics: MetricsScope;
  readonly latencyP99Ms: number;
  readonly failedLoginsPerMinute: number;
}

/** The publisher is behind when the oldest record it got waited longer than this. */
export const ITERATOR_AGE_THRESHOLD_MS = 60_000;
/** API 5XX responses, as a percentage of requests over five minutes. */
export const API_5XX_PERCENT = 1;

/**
 * The alarms of issue 13, each to the alarm topic (on ALARM and back to OK), each describing
 * what it means and what to look at first. Missing data (no traffic) is never an alarm.
 */
export class ServiceAlarms extends Construct {
  readonly alarms: IAlarm[] = [];
  private readonly action: SnsAction;
  private readonly names: PhysicalNames;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    this.names = props.names;
    const { restStage: stage, metrics } = props;

    this.add('Api5xxRate', {
      metric: new MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: stage.metricServerError({ statistic: Stats.SUM, period: FIVE_MINUTES }),
          requests: stage.metricCount({ statistic: Stats.SUM, period: FIVE_MINUTES }),
        },
        label: '5XX responses (% of requests)',
        period: FIVE_MINUTES,
      }),
      threshold: API_5XX_PERCENT,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      name: 'api-5xx-rate',
      meaning: `More than ${API_5XX_PERCENT} % of API requests answered 5XX over 5 minutes`,
      checkFirst:
        'the API function log for lines with status >= 500 and their request ids (then the ' +
        'access log by requestId); a 503 with Retry-After means DynamoDB throttled or failed',
      entry: TROUBLESHOOTING.api5xx,
    });
    this.add('ApiLatencyP99', {
      metric: stage.metricLatency({ statistic: Stats.p(99), period: FIVE_MINUTES }),
      threshold: props.latencyP99Ms,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      name: 'api-latency-p99',
      meaning: `API p99 latency above ${props.latencyP99Ms} ms over 5 minutes`,
      checkFirst:
        'IntegrationLatency against Latency on the dashboard (function or API Gateway), then the ' +
        'X-Ray traces of the slow requests (DynamoDB subsegments, cold starts)',
      entry: TROUBLESHOOTING.latency,
    });

    for (const [kind, fn] of Object.entries(props.functions) as [FunctionKind, IFunction][]) {
      const pascal = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
      this.add(`${pascal}Errors`, {
        metric: fn.metricErrors({ statistic: Stats.SUM, period: FIVE_MINUTES }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        name: `${kind}-function-errors`,
        meaning: `The ${kind} function failed (crash, timeout or unhandled error) in the last 5 minutes`,
        checkFirst: `the function's log group for ERROR lines, "Task timed out" and REPORT lines near the time`,
        entry: TROUBLESHOOTING.functionErrors,
      });
      this.add(`${pascal}Throttles`, {
        metric: fn.metricThrottles({ statistic: Stats.SUM, period: FIVE_MINUTES }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        name: `${kind}-function-throttles`,
        meaning: `Lambda refused invocations of the ${kind} function (concurrency exhausted)`,
        checkFirst: 'ConcurrentExecutions on the dashboard against reservedConcurrency and the account limit',
        entry: TROUBLESHOOTING.functionThrottles,
      });
    }

    for (const [name, table] of Object.entries(props.tables) as [TableName, TableV2][]) {
      this.add(`${capitalized(name)}TableThrottles`, {
        metric: tableThrottles(table, name, FIVE_MINUTES),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        name: `${name}-table-throttles`,
        meaning: `DynamoDB throttled requests to the ${name} table in the last 5 minutes`,
        checkFirst:
          'the DynamoDB row of the dashboard (which operation) and the service metric ' +
          'DynamoDBRetries; on-demand tables throttle on sudden doubling of traffic or hot keys',
        entry: TROUBLESHOOTING.dynamoDbThrottles,
      });
      this.add(`${capitalized(name)}TableSystemErrors`, {
        metric: tableSystemErrors(table, name, FIVE_MINUTES),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        name: `${name}-table-system-errors`,
        meaning: `DynamoDB answered 5xx to requests on the ${name} table in the last 5 minutes`,
        checkFirst: 'the AWS Health Dashboard for DynamoDB in this region; clients retried them',
        entry: TROUBLESHOOTING.dynamoDbSystemErrors,
      });
    }

    this.add('FailedLogins', {
      metric: serviceMetric(metrics, 'loginsFailed', ONE_MINUTE),
      threshold: props.failedLoginsPerMinute,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      name: 'failed-logins',
      meaning: `More than ${props.failedLoginsPerMinute} failed logins in one minute`,
      checkFirst:
        'the access log for the source IPs of POST /user/login answered 401/429 (credential ' +
        'stuffing?); -c waf=true rate-limits per IP',
      entry: TROUBLESHOOTING.failedLogins,
    });

    this.add('PublisherIteratorAge', {
      metric: props.functions.publisher.metric('IteratorAge', {
        statistic: Stats.MAXIMUM,
        period: FIVE_MINUTES,
      }),
      threshold: ITERATOR_AGE_THRESHOLD_MS,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      name: 'publisher-iterator-age',
      meaning: `Item changes waited more than ${ITERATOR_AGE_THRESHOLD_MS / 1000} s before the publisher got them`,
      checkFirst: 'the publisher function errors and duration, then its log group',
      entry: TROUBLESHOOTING.subscriptions,
    });
    this.add('PublisherPostsFailed', {
      metric: serviceMetric(metrics, 'publisherPostsFailed', FIVE_MINUTES),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      name: 'publisher-posts-failed',
      meaning: 'The publisher could not post changes to live subscribers (not gone connections)',
      checkFirst:
        "the publisher log's failed posts (status and error name) and the WebSocket API's " + 'execution log',
      entry: TROUBLESHOOTING.subscriptions,
    });
    this.add('PublisherFailuresQueued', {
      metric: props.publisherFailures.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      name: 'publisher-failures-queued',
      meaning: 'Stream records the publisher gave up on (after retries or too old) are in its failure queue',
      checkFirst: 'the queued messages (which shard and sequence numbers) and the publisher log at that time',
      entry: TROUBLESHOOTING.subscriptions,
    });
  }

  private add(id: string, spec: AlarmSpec): void {
    const alarm = new Alarm(this, id, {
      alarmName: this.names.alarm(spec.name),
      alarmDescription: `${spec.meaning}. Check first: ${spec.checkFirst}. docs/operations.md, Troubleshooting: "${spec.entry}".`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}

interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  /** Suffix of the alarm's name. */
  readonly name: string;
  readonly meaning: string;
  readonly checkFirst: string;
  readonly entry: (typeof TROUBLESHOOTING)[keyof typeof TROUBLESHOOTING];
}

function capitalized(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

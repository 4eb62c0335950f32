import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  Stats,
  TextWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionKind, TableName } from '../../src/storage/tables.js';
import {
  FIVE_MINUTES,
  serviceMetric,
  serviceMetricSearch,
  tableSystemErrors,
  tableThrottles,
  type MetricsScope,
} from './service-metrics.js';

export interface ServiceDashboardProps {
  readonly dashboardName: string;
  readonly alarms: readonly IAlarm[];
  readonly restStage: Stage;
  readonly webSocketStage: WebSocketStage;
  readonly functions: Readonly<Record<FunctionKind, IFunction>>;
  readonly tables: Readonly<Record<TableName, TableV2>>;
  readonly publisherFailures: IQueue;
  readonly metrics: MetricsScope;
}

/** The dashboard's rows, top to bottom: one concern each. */
export const DASHBOARD_ROWS = [
  'Alarms',
  'API: traffic, errors, latency',
  'Functions',
  'DynamoDB',
  'Logins and writes',
  'Subscriptions',
] as const;

const WIDTH = 24;

/** One glance per concern: a header and its graphs on each row, alarms on top. */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const { restStage: api, metrics } = props;
    const functions = Object.entries(props.functions) as [FunctionKind, IFunction][];
    const tables = Object.entries(props.tables) as [TableName, TableV2][];
    const byFunction = (metric: (fn: IFunction) => IMetric) => functions.map(([, fn]) => metric(fn));
    const sum = { statistic: Stats.SUM, period: FIVE_MINUTES };

    const rows: IWidget[][] = [
      [new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH, height: 4 })],
      row([
        graph('Requests and errors', [
          api.metricCount(sum),
          api.metricClientError(sum),
          api.metricServerError(sum),
        ]),
        graph('5XX rate (%)', [
          new MathExpression({
            expression: 'IF(requests > 0, 100 * errors / requests, 0)',
            usingMetrics: { errors: api.metricServerError(sum), requests: api.metricCount(sum) },
            label: '5XX %',
            period: FIVE_MINUTES,
          }),
        ]),
        graph('Latency (ms)', [
          api.metricLatency({ statistic: Stats.p(50), period: FIVE_MINUTES }),
          api.metricLatency({ statistic: Stats.p(99), period: FIVE_MINUTES }),
          api.metricIntegrationLatency({ statistic: Stats.p(99), period: FIVE_MINUTES }),
        ]),
        graph('Requests by route and status class', [
          serviceMetricSearch(metrics, 'requests', 'Sum', FIVE_MINUTES),
        ]),
      ]),
      row([
        graph(
          'Invocations',
          byFunction((fn) => fn.metricInvocations(sum)),
        ),
        graph('Errors and throttles', [
          ...byFunction((fn) => fn.metricErrors(sum)),
          ...byFunction((fn) => fn.metricThrottles(sum)),
        ]),
        graph(
          'Duration p99 (ms)',
          byFunction((fn) => fn.metricDuration({ statistic: Stats.p(99), period: FIVE_MINUTES })),
        ),
        graph('Concurrency and cold starts', [
          ...byFunction((fn) =>
            fn.metric('ConcurrentExecutions', { statistic: Stats.MAXIMUM, period: FIVE_MINUTES }),
          ),
          serviceMetric(metrics, 'coldStarts', FIVE_MINUTES),
        ]),
      ]),
      row([
        graph(
          'Throttled requests',
          tables.map(([name, table]) => tableThrottles(table, name, FIVE_MINUTES)),
        ),
        graph(
          'System errors',
          tables.map(([name, table]) => tableSystemErrors(table, name, FIVE_MINUTES)),
        ),
        graph('Consumed capacity', [
          ...tables.map(([, table]) => table.metricConsumedReadCapacityUnits(sum)),
          ...tables.map(([, table]) => table.metricConsumedWriteCapacityUnits(sum)),
        ]),
        graph('Service-side throttles and retries', [
          serviceMetric(metrics, 'dynamoDbThrottles', FIVE_MINUTES),
          serviceMetric(metrics, 'dynamoDbRetries', FIVE_MINUTES),
        ]),
      ]),
      row([
        graph('Accounts', [
          serviceMetric(metrics, 'signUps', FIVE_MINUTES),
          serviceMetric(metrics, 'loginsSucceeded', FIVE_MINUTES),
          serviceMetric(metrics, 'loginsFailed', FIVE_MINUTES),
        ]),
        graph('Item writes', [
          serviceMetric(metrics, 'itemsCreated', FIVE_MINUTES),
          serviceMetric(metrics, 'itemsUpdated', FIVE_MINUTES),
          serviceMetric(metrics, 'itemsDeleted', FIVE_MINUTES),
        ]),
      ]),
      row([
        graph('WebSocket connections and messages', [
          props.webSocketStage.metric('ConnectCount', sum),
          props.webSocketStage.metric('MessageCount', sum),
          props.webSocketStage.metric('ClientError', sum),
          props.webSocketStage.metric('ExecutionError', sum),
        ]),
        graph('Publisher iterator age (ms)', [
          props.functions.publisher.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: FIVE_MINUTES }),
        ]),
        graph('Posts to subscribers', [
          serviceMetric(metrics, 'publisherPosts', FIVE_MINUTES),
          serviceMetric(metrics, 'publisherPostsFailed', FIVE_MINUTES),
        ]),
        graph('Records given up (failure queue)', [
          props.publisherFailures.metricApproximateNumberOfMessagesVisible({
            statistic: Stats.MAXIMUM,
            period: FIVE_MINUTES,
          }),
        ]),
      ]),
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: rows.map((widgets, index) => [header(DASHBOARD_ROWS[index] ?? ''), ...widgets]),
    });
  }
}

function header(title: string): TextWidget {
  return new TextWidget({ markdown: `### ${title}`, width: WIDTH, height: 1 });
}

interface GraphSpec {
  readonly title: string;
  readonly left: IMetric[];
}

/** The row's graphs, side by side, sharing the dashboard's width. */
function row(graphs: GraphSpec[]): GraphWidget[] {
  const width = Math.floor(WIDTH / graphs.length);
  return graphs.map(({ title, left }) => new GraphWidget({ title, left, width, height: 6 }));
}

function graph(title: string, left: IMetric[]): GraphSpec {
  return { title, left };
}

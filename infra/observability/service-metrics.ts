import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { METRIC_DIMENSIONS, METRICS, type MetricKey } from '../../src/observability/metric-catalog.js';
import { DYNAMODB_ACTIONS_BY_FUNCTION, tables, type TableName } from '../../src/storage/tables.js';

/** Where the service's EMF metrics land: namespace `appName`, dimension `service`. */
export interface MetricsScope {
  readonly namespace: string;
  readonly service: string;
}

/** Metrics emitted with the `service` dimension alone. */
type ServiceOnlyMetric = {
  [K in MetricKey]: (typeof METRICS)[K]['dimensions'] extends readonly ['service'] ? K : never;
}[MetricKey];

/** One of the service's own metrics, summed over `period`. */
export function serviceMetric(scope: MetricsScope, key: ServiceOnlyMetric, period: Duration): Metric {
  const definition = METRICS[key];
  return new Metric({
    namespace: scope.namespace,
    metricName: definition.name,
    dimensionsMap: { [METRIC_DIMENSIONS.service]: scope.service },
    statistic: Stats.SUM,
    period,
    label: definition.name,
  });
}

/** Every series of a multi-dimension metric (routes, status classes), for graphs only. */
export function serviceMetricSearch(
  scope: MetricsScope,
  key: 'requests' | 'latency',
  statistic: string,
  period: Duration,
): IMetric {
  const definition = METRICS[key];
  const schema = [`"${scope.namespace}"`, ...definition.dimensions].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${definition.name}" ${METRIC_DIMENSIONS.service}="${scope.service}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    label: definition.name,
    period,
  });
}

const KNOWN_OPERATIONS = new Set<string>(Object.values(Operation));

/**
 * The DynamoDB operations any function sends to `table` (its own and its indexes' grants), plus
 * the stream's GetRecords where the table has one: what its throttling and error alarms watch.
 */
export function operationsOn(table: TableName): Operation[] {
  const actions = Object.values(DYNAMODB_ACTIONS_BY_FUNCTION).flatMap((grants) => {
    const byGroup = grants as Readonly<Record<string, readonly string[] | undefined>>;
    return [...(byGroup[table] ?? []), ...(byGroup[`${table}Indexes`] ?? [])];
  });
  const operations = new Set(actions.map((action) => action.replace(/^dynamodb:/, '')));
  if (tables[table].stream) operations.add(Operation.GET_RECORDS);
  return [...operations].filter((operation) => KNOWN_OPERATIONS.has(operation)).sort() as Operation[];
}

/** `ThrottledRequests` of every operation on the table, summed. */
export function tableThrottles(table: TableV2, name: TableName, period: Duration): IMetric {
  return sumOverOperations(table, name, 'ThrottledRequests', period);
}

/** `SystemErrors` (DynamoDB's own 5xx) of every operation on the table, summed. */
export function tableSystemErrors(table: TableV2, name: TableName, period: Duration): IMetric {
  return sumOverOperations(table, name, 'SystemErrors', period);
}

/**
 * DynamoDB reports these per operation only (dimensions TableName and Operation). The ids are
 * prefixed with the table so that one graph can hold the sums of several tables.
 */
function sumOverOperations(table: TableV2, name: TableName, metricName: string, period: Duration): IMetric {
  const usingMetrics = Object.fromEntries(
    operationsOn(name).map((operation) => [
      `${name}_${operation.toLowerCase()}`,
      table.metric(metricName, {
        dimensionsMap: { TableName: table.tableName, Operation: operation },
        statistic: Stats.SUM,
        period,
      }),
    ]),
  );
  return new MathExpression({
    expression: Object.keys(usingMetrics).join(' + '),
    usingMetrics,
    label: `${metricName} (${name})`,
    period,
  });
}

export const FIVE_MINUTES = Duration.minutes(5);
export const ONE_MINUTE = Duration.minutes(1);

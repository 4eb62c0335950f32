/**
 * The service's own CloudWatch metrics, written as Embedded Metric Format log lines: one
 * definition read by the code that emits them and by the CDK stack that alarms on them and draws
 * them. Pure constants, no imports: infra may import this file.
 *
 * Namespace: the deployment's `appName` (env METRICS_NAMESPACE). Every metric carries the
 * `service` dimension (env POWERTOOLS_SERVICE_NAME, `<appName>-<environment>`); a few carry more.
 * Each extra dimension multiplies the billed metrics, so they stay few.
 */

/** The units used here, spelled as CloudWatch (and Powertools' `MetricUnit`) spell them. */
export const METRIC_UNITS = { count: 'Count', milliseconds: 'Milliseconds' } as const;
export type MetricUnit = (typeof METRIC_UNITS)[keyof typeof METRIC_UNITS];

/** Dimension names. `service` is on every metric. */
export const METRIC_DIMENSIONS = {
  service: 'service',
  /** The route template (`GET /item/{id}`, `POST /graphql`), never the raw path. */
  route: 'route',
  /** `2xx`, `3xx`, `4xx` or `5xx`. */
  statusClass: 'statusClass',
} as const;
export type MetricDimension = (typeof METRIC_DIMENSIONS)[keyof typeof METRIC_DIMENSIONS];

export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  /** Exactly the dimension set the metric is emitted with (CloudWatch matches sets exactly). */
  readonly dimensions: readonly MetricDimension[];
}

const SERVICE_ONLY = [METRIC_DIMENSIONS.service] as const;
const count = (name: string) => ({ name, unit: METRIC_UNITS.count, dimensions: SERVICE_ONLY }) as const;

export const METRICS = {
  requests: {
    name: 'Requests',
    unit: METRIC_UNITS.count,
    dimensions: [METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.route, METRIC_DIMENSIONS.statusClass],
  },
  latency: {
    name: 'Latency',
    unit: METRIC_UNITS.milliseconds,
    dimensions: [METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.route],
  },
  signUps: count('SignUps'),
  loginsSucceeded: count('LoginsSucceeded'),
  loginsFailed: count('LoginsFailed'),
  itemsCreated: count('ItemsCreated'),
  itemsUpdated: count('ItemsUpdated'),
  itemsDeleted: count('ItemsDeleted'),
  dynamoDbThrottles: count('DynamoDBThrottles'),
  dynamoDbRetries: count('DynamoDBRetries'),
  coldStarts: count('ColdStarts'),
  /** One per message posted to a subscriber through the API Gateway Management API. */
  publisherPosts: count('PublisherPosts'),
  /** Posts that failed for another reason than a gone connection (whose rows are deleted). */
  publisherPostsFailed: count('PublisherPostsFailed'),
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

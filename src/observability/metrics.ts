import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../logger.js';
import { errorFields } from '../logger.js';
import { METRIC_DIMENSIONS, METRICS, type MetricKey } from './metric-catalog.js';

/** The metrics with the `service` dimension alone: counted as things happen, written at the flush. */
export type ServiceCounter = Exclude<MetricKey, 'requests' | 'latency'>;

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** What the flush at the end of a request writes about it. */
export interface AnsweredRequest {
  /** The route template with its method (`GET /item/{id}`), never a raw path. */
  readonly route: string;
  readonly statusClass: StatusClass;
  readonly latencyMs: number;
}

/**
 * The service's CloudWatch metrics, as Embedded Metric Format lines on stdout (CloudWatch Logs
 * turns them into metrics: no API call). Everything since the last flush goes out in ONE line.
 */
export interface ServiceMetrics {
  count(counter: ServiceCounter, value?: number): void;
  /** Writes the request (if any) and the counters since the last flush; nothing when both are empty. */
  flush(request?: AnsweredRequest): void;
}

export const NO_METRICS: ServiceMetrics = { count: () => undefined, flush: () => undefined };

export interface ServiceMetricsOptions {
  /** Unset: metrics are off (locally, in tests), and nothing is ever written. */
  readonly namespace: string | undefined;
  /** The `service` dimension. */
  readonly serviceName: string;
  /** Powertools' warnings (an invalid value) and a failed flush. */
  readonly logger: Logger;
  readonly write?: (line: string) => void;
}

/**
 * Built once per process: its creation is the process's cold start, counted in `ColdStarts` by
 * the first flush.
 *
 * CloudWatch matches dimension sets exactly, and `metric-catalog.ts` gives three (service +
 * route + statusClass, service + route, service), while a Powertools `Metrics` serializes one
 * directive with one set. So one `Metrics` per set serializes its directive, and the flush
 * writes them as one EMF document with several directives over shared members (the EMF
 * specification allows that): one log line per invocation instead of three.
 */
export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  if (!options.namespace) return NO_METRICS;
  const { logger } = options;
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const group = () => new Metrics({ namespace: options.namespace, serviceName: options.serviceName, logger });
  const byRouteAndStatus = group();
  const byRoute = group();
  const byService = group();
  const groups = [byRouteAndStatus, byRoute, byService];
  const counters = new Map<ServiceCounter, number>();

  const count = (counter: ServiceCounter, value = 1) =>
    void counters.set(counter, (counters.get(counter) ?? 0) + value);
  count('coldStarts');

  return {
    count,
    flush(request) {
      if (!request && counters.size === 0) return;
      try {
        const documents: EmfDocument[] = [];
        if (request) {
          byRouteAndStatus
            .addDimension(METRIC_DIMENSIONS.route, request.route)
            .addDimension(METRIC_DIMENSIONS.statusClass, request.statusClass)
            .addMetric(METRICS.requests.name, METRICS.requests.unit, 1);
          byRoute
            .addDimension(METRIC_DIMENSIONS.route, request.route)
            .addMetric(METRICS.latency.name, METRICS.latency.unit, request.latencyMs);
          documents.push(byRouteAndStatus.serializeMetrics(), byRoute.serializeMetrics());
        }
        if (counters.size > 0) {
          for (const [counter, value] of counters) {
            byService.addMetric(METRICS[counter].name, METRICS[counter].unit, value);
          }
          documents.push(byService.serializeMetrics());
        }
        write(`${JSON.stringify(oneDocument(documents))}\n`);
      } catch (error) {
        // Metrics never fail a request.
        logger.warn('metrics not written', errorFields(error));
      } finally {
        counters.clear();
        for (const metrics of groups) {
          metrics.clearMetrics();
          metrics.clearDimensions();
        }
      }
    },
  };
}

type EmfDocument = ReturnType<Metrics['serializeMetrics']>;

/** The directives side by side in `_aws.CloudWatchMetrics`, the members (dimensions, values) merged. */
function oneDocument(documents: readonly EmfDocument[]): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const { _aws: _directives, ...rest } of documents) Object.assign(members, rest);
  return {
    _aws: {
      Timestamp: documents[0]?._aws.Timestamp ?? Date.now(),
      CloudWatchMetrics: documents.flatMap((document) => document._aws.CloudWatchMetrics),
    },
    ...members,
  };
}

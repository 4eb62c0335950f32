import type { DomainEvent, DomainEvents } from '../domain/ports.js';
import type { ServiceCounter, ServiceMetrics } from './metrics.js';

/**
 * The events the metric catalog counts. Others (sign-outs, refreshes, ...) are not metrics: they
 * are ignored, so that a new event never needs a change here to keep working.
 */
export const COUNTED_EVENTS: Partial<Readonly<Record<DomainEvent, ServiceCounter>>> = {
  'account.registered': 'signUps',
  'account.login_succeeded': 'loginsSucceeded',
  'account.login_failed': 'loginsFailed',
  'item.created': 'itemsCreated',
  'item.updated': 'itemsUpdated',
  'item.deleted': 'itemsDeleted',
};

/** The domain's events as counters, written with the request's metrics. */
export function domainEventMetrics(metrics: ServiceMetrics): DomainEvents {
  return {
    record(event) {
      const counter = COUNTED_EVENTS[event];
      if (counter) metrics.count(counter);
    },
  };
}

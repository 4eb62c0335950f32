import type { RetryObserver } from '../storage/dynamodb-client.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * DynamoDB as the service sees it, from the client's retry strategy: `DynamoDBThrottles` counts
 * the attempts DynamoDB refused as throttled (retried or not), `DynamoDBRetries` the attempts
 * sent again after any error (throttling, timeouts, DynamoDB's 5xx).
 */
export function dynamoDbRetryMetrics(metrics: ServiceMetrics): RetryObserver {
  return {
    failedAttempt(errorType, retried) {
      if (errorType === 'THROTTLING') metrics.count('dynamoDbThrottles');
      if (retried) metrics.count('dynamoDbRetries');
    },
  };
}

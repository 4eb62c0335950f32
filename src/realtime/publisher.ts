import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { FormattedExecutionResult, GraphQLSchema } from 'graphql';
import { MessageType, stringifyMessage, type Message } from 'graphql-ws';
import type { ItemChange } from '../domain/item-change.js';
import type { GraphQLContext } from '../graphql/context.js';
import { errorFields, type Logger } from '../logger.js';
import { NO_METRICS, type ServiceMetrics } from '../observability/metrics.js';
import { executeChange, formatEventErrors, formatEventResult, tokenExpiredResult } from './change-events.js';
import type { ConnectionStore, SubscriptionRecord } from './connection-store.js';
import { itemChangesOf } from './item-changes.js';
import type { ConnectionMessenger } from './management-api.js';
import type { SubscriberContexts } from './subscriber-context.js';
import { isRefused, type PreparedOrRefused, type PrepareSubscription } from './subscription-document.js';

export interface PublisherDependencies {
  readonly store: ConnectionStore;
  /** The WebSocket API stage's management API (WEBSOCKET_MANAGEMENT_ENDPOINT). */
  readonly messenger: ConnectionMessenger;
  readonly schema: GraphQLSchema;
  readonly prepare: PrepareSubscription;
  readonly contexts: SubscriberContexts;
  readonly logger: Logger;
  /** `PublisherPosts` and `PublisherPostsFailed`, written once per batch. */
  readonly metrics?: ServiceMetrics;
  readonly now?: () => number;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** Subscriptions served at once; each one's posts go out in order, one after another. */
const DELIVERY_CONCURRENCY = 16;
/** Checked documents kept per warm container, by text, operation and variables. */
const MAX_CACHED_DOCUMENTS = 500;

interface Pending {
  readonly change: ItemChange;
  /** The stream record it came from: what `batchItemFailures` names. */
  readonly recordId: string;
}

/**
 * The items table's stream → subscribers. Per batch: each record becomes changes (item-changes.ts,
 * the same logic as the local feed), grouped by owner; one `owner-index` Query per owner finds
 * the owner's subscriptions; each subscription's selection runs on each change (resolvers as for
 * queries, one context per owner and batch, so `Item.owner` loads once) and goes out as a `next`
 * message with PostToConnection, in order.
 *
 * A gone connection (410) has its rows deleted and is not an error. A failed post (or Query)
 * never stops the rest of the batch: its record is reported in `batchItemFailures`, and that
 * subscription gets nothing more from this batch, so a retry (which Lambda starts at the
 * earliest failed record) delivers in order. Delivery is at least once: a retried record may
 * reach a subscriber that already had it. A subscription whose token has expired gets a last
 * `UNAUTHENTICATED` event, `complete`, and its row is deleted.
 */
export function createPublisher(deps: PublisherDependencies): StreamHandler {
  const { store, messenger, schema, logger } = deps;
  const metrics = deps.metrics ?? NO_METRICS;
  const now = deps.now ?? (() => Date.now());
  const documents = new Map<string, PreparedOrRefused>();

  const documentOf = (subscription: SubscriptionRecord): PreparedOrRefused => {
    const request = {
      query: subscription.query,
      operationName: subscription.operation_name,
      variables: subscription.variables,
    };
    const key = JSON.stringify([request.query, request.operationName ?? null, request.variables ?? null]);
    let prepared = documents.get(key);
    if (!prepared) {
      if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear();
      // Checked again, not trusted: a deployment since the subscribe may have changed the schema.
      prepared = deps.prepare(request);
      documents.set(key, prepared);
    }
    return prepared;
  };

  return async (event) => {
    const failed = new Set<string>();
    const byOwner = new Map<string, Pending[]>();
    for (const record of event.Records) {
      for (const change of changesOf(record, logger)) {
        const pending = byOwner.get(change.ownerId) ?? [];
        pending.push({ change, recordId: recordIdOf(record) });
        byOwner.set(change.ownerId, pending);
      }
    }

    const gone = new Map<string, Promise<void>>();
    const forget = (connectionId: string) => {
      if (!gone.has(connectionId)) {
        gone.set(
          connectionId,
          store.deleteConnection(connectionId).catch((error: unknown) => {
            logger.warn('could not delete a gone connection', { connectionId, ...errorFields(error) });
          }),
        );
      }
      return gone.get(connectionId);
    };

    const deliveries: (() => Promise<void>)[] = [];
    await Promise.all(
      [...byOwner].map(async ([ownerId, pending]) => {
        let subscriptions: SubscriptionRecord[];
        try {
          subscriptions = await store.subscriptionsOf(ownerId);
        } catch (error) {
          logger.error('could not find the subscriptions of an owner', { ownerId, ...errorFields(error) });
          for (const { recordId } of pending) failed.add(recordId);
          return;
        }
        if (subscriptions.length === 0) return;
        // One context per owner and batch: `Item.owner` loads the owner once for all of them.
        const context = deps.contexts({ userId: ownerId });
        const results = new Map<string, Promise<FormattedExecutionResult>>();
        for (const subscription of subscriptions) {
          deliveries.push(() => deliver(subscription, pending, context, results));
        }
      }),
    );
    await runLimited(deliveries, DELIVERY_CONCURRENCY);
    await Promise.all(gone.values());
    metrics.flush();

    return {
      batchItemFailures: event.Records.filter((record) => failed.has(recordIdOf(record))).map((record) => ({
        itemIdentifier: recordIdOf(record),
      })),
    };

    async function deliver(
      subscription: SubscriptionRecord,
      pending: readonly Pending[],
      context: GraphQLContext,
      results: Map<string, Promise<FormattedExecutionResult>>,
    ): Promise<void> {
      const { connection_id: connectionId, subscription_id: id } = subscription;
      const post = async (message: Message): Promise<boolean> => {
        if (gone.has(connectionId)) return false;
        let outcome;
        try {
          outcome = await messenger.post(connectionId, stringifyMessage(message));
        } catch (error) {
          metrics.count('publisherPostsFailed');
          throw error;
        }
        if (outcome === 'gone') await forget(connectionId);
        else metrics.count('publisherPosts');
        return outcome === 'sent';
      };
      const report = { logger, requestId: context.requestId };
      // A subscription that cannot go on is told so once and removed; failing that is only logged
      // (its row expires by itself), never a reason to retry the batch.
      const end = async (last: Message[]) => {
        try {
          await store.deleteRows([{ connection_id: connectionId, sk: subscription.sk }]);
          for (const message of last) if (!(await post(message))) return;
        } catch (error) {
          logger.warn('could not end a subscription', {
            connectionId,
            subscriptionId: id,
            ...errorFields(error),
          });
        }
      };
      if (subscription.token_expires_at * 1000 <= now()) {
        const payload = formatEventResult(tokenExpiredResult(), report);
        return end([
          { id, type: MessageType.Next, payload },
          { id, type: MessageType.Complete },
        ]);
      }
      try {
        const prepared = documentOf(subscription);
        if (isRefused(prepared)) {
          return end([{ id, type: MessageType.Error, payload: formatEventErrors(prepared, report) }]);
        }
        for (const { change, recordId } of pending) {
          // Same document, same change, same context: the same result, computed once.
          const key = JSON.stringify([
            recordId,
            change.kind,
            subscription.query,
            prepared.operationName ?? null,
            prepared.variables,
          ]);
          let result = results.get(key);
          if (!result) {
            result = executeChange(schema, prepared, change, context).then((r) =>
              formatEventResult(r, report),
            );
            results.set(key, result);
          }
          try {
            if (!(await post({ id, type: MessageType.Next, payload: await result }))) return;
          } catch (error) {
            // Retried by Lambda from this record on; later changes wait for it, to stay in order.
            failed.add(recordId);
            logger.error('could not post a subscription event', {
              requestId: context.requestId,
              connectionId,
              subscriptionId: id,
              recordId,
              ...errorFields(error),
            });
            return;
          }
        }
      } catch (error) {
        for (const { recordId } of pending) failed.add(recordId);
        logger.error('could not deliver to a subscription', {
          requestId: context.requestId,
          connectionId,
          subscriptionId: id,
          ...errorFields(error),
        });
      }
    }
  };
}

/** A record that is not a readable item change is logged and skipped: it must not block the shard. */
function changesOf(record: DynamoDBRecord, logger: Logger): ItemChange[] {
  try {
    return itemChangesOf(record);
  } catch (error) {
    logger.error('skipped a stream record that is not an item change', {
      recordId: recordIdOf(record),
      ...errorFields(error),
    });
    return [];
  }
}

/** What Lambda expects back for a failed stream record: its sequence number. */
function recordIdOf(record: DynamoDBRecord): string {
  return record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
}

async function runLimited(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

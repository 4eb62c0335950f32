import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from '../domain/item-change.js';
import { itemChangesOf } from './item-changes.js';

/** Changes a slow subscriber may have waiting before its subscription is ended. */
export const MAX_QUEUED_CHANGES = 1_000;

/**
 * The local server's stand-in for the items table's stream: it receives stream-shaped records
 * of every write (see local/emulator-write-tap.ts and local/stream-follower.ts), reads them with
 * the same change logic as the AWS publisher, and hands each change to the open subscriptions
 * of its owner, in order.
 */
export class LocalChangeFeed {
  private readonly byOwner = new Map<string, Set<ChangeQueue>>();

  publish(records: readonly DynamoDBRecord[]): void {
    for (const record of records) {
      for (const change of itemChangesOf(record)) {
        for (const queue of this.byOwner.get(change.ownerId) ?? []) queue.push(change);
      }
    }
  }

  /**
   * The owner's changes from now on, until the iterator is returned or `signal` aborts (then
   * it throws the abort's reason, at once: nothing is delivered after it).
   */
  changes(ownerId: string, signal?: AbortSignal): AsyncIterableIterator<ItemChange> {
    const queues = this.byOwner.get(ownerId) ?? new Set<ChangeQueue>();
    this.byOwner.set(ownerId, queues);
    const onAbort = () => queue.end(signal?.reason);
    const queue = new ChangeQueue(() => {
      signal?.removeEventListener('abort', onAbort);
      queues.delete(queue);
      if (queues.size === 0 && this.byOwner.get(ownerId) === queues) this.byOwner.delete(ownerId);
    });
    // Registered now, not on the first `next()`: a change right after the subscribe counts.
    queues.add(queue);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) queue.end(signal.reason);
    return queue;
  }

  /** Open subscriptions, for tests and the bench. */
  get listeners(): number {
    let count = 0;
    for (const queues of this.byOwner.values()) count += queues.size;
    return count;
  }
}

/**
 * An async iterator over pushed changes. Unlike an async generator, `return()` ends it at once
 * even while a `next()` waits, so a client's `complete` never waits for the next change.
 */
class ChangeQueue implements AsyncIterableIterator<ItemChange> {
  private readonly buffered: ItemChange[] = [];
  private waiting:
    { resolve(step: IteratorResult<ItemChange>): void; reject(error: unknown): void } | undefined;
  private ended: { readonly error?: unknown } | undefined;

  constructor(private readonly detach: () => void) {}

  push(change: ItemChange): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value: change, done: false });
    } else if (this.buffered.length >= MAX_QUEUED_CHANGES) {
      this.end(new Error(`More than ${MAX_QUEUED_CHANGES} changes waited for delivery: subscribe again`));
    } else {
      this.buffered.push(change);
    }
  }

  /** Stops the queue: quietly, or with an error the next `next()` throws (what was buffered is dropped). */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = error === undefined ? {} : { error };
    this.buffered.length = 0;
    this.detach();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) return;
    // The waiting `next()` takes the error; later ones are simply done.
    this.ended = {};
    if (error === undefined) waiting.resolve({ value: undefined, done: true });
    else waiting.reject(error);
  }

  next(): Promise<IteratorResult<ItemChange>> {
    const change = this.buffered.shift();
    if (change) return Promise.resolve({ value: change, done: false });
    if (this.ended) {
      const { error } = this.ended;
      this.ended = {};
      return error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<ItemChange>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ItemChange> {
    return this;
  }
}

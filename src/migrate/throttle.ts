import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A token bucket: at most `ratePerSecond` takes per second on average, and bursts of at most a
 * tenth of a second's worth, so a production table never sees more than it was promised, even
 * for an instant. One bucket is shared by every worker and both clients (source and target).
 */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private refilledAt: number;
  /** Takes wait here in arrival order, so no worker starves. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('the rate must be positive');
    this.capacity = Math.max(1, ratePerSecond / 10);
    this.tokens = 1;
    this.refilledAt = this.now();
  }

  /** Resolves when one request may go. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((at - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = at;
  }
}

/**
 * Every HTTP attempt the client makes (first tries and the SDK's retries alike: the middleware
 * sits inside the retry loop) first takes a token from the bucket.
 */
export function throttleClient(client: DynamoDBClient, bucket: TokenBucket): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      await bucket.take();
      return next(args);
    },
    { step: 'deserialize', name: 'migrateThrottle' },
  );
}

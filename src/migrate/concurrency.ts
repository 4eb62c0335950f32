/**
 * Runs `task` on every value, at most `limit` at a time; resolves when all are done, rejects
 * with the first failure (after the tasks already started have settled).
 */
export async function eachLimited<T>(
  values: readonly T[],
  limit: number,
  task: (value: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < values.length) await task(values[next++] as T);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, values.length) }, lane));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * One holder per key at a time, within this process. Two old names that fold to the same key
 * may be read by two workers at once; their collision is then settled one after the other, so
 * neither works from a read the other has already made stale.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((done) => (release = done));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    await before;
    try {
      return await critical();
    } finally {
      release();
      // The last holder leaves no entry behind: memory stays flat over a long run.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

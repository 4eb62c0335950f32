/**
 * Imported first by the benchmark's child processes: on the parent's `heap` message it runs a
 * full garbage collection (the process runs with --expose-gc) and answers with the memory
 * still in use. Live heap after a full collection is what shows a leak; RSS alone also holds
 * garbage V8 has not yet had a reason to collect.
 */
process.on('message', (message) => {
  if (message !== 'heap' || !process.send) return;
  globalThis.gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  const MiB = 1024 * 1024;
  process.send({ rssMiB: rss / MiB, heapUsedMiB: heapUsed / MiB, externalMiB: external / MiB });
});

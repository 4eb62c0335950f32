import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../src/local/bootstrap-tables.js';
import { migrate, type MigrateSettings } from '../src/migrate/command.js';
import type { MigrationReport } from '../src/migrate/report.js';
import { createDocumentClient, createDynamoClient } from '../src/storage/dynamodb-client.js';
import { createLegacyTables, legacyFixture, putRows } from '../test/helpers/legacy-tables.js';
import { startScript } from './lib/processes.js';
import { ratioOf, type MeasurementResult } from './lib/report.js';
import { round, slope } from './lib/stats.js';

const USERS = 10_000;
const ITEMS_PER_USER = 5;
const ITEMS = USERS * ITEMS_PER_USER;
const SEGMENTS = 4;
const PAGE = 100;
const HEAP_EVERY_MS = 1_000;
const RSS_EVERY_MS = 100;
/** Live-heap growth per 10 000 rows migrated, over the second half of the run, that counts as not flat. */
const HEAP_GROWTH_LIMIT_MIB = 1;
const MiB = 1024 * 1024;

const OLD = { users: 'bench-old-users', items: 'bench-old-items' };
const NEW = { users: 'bench-new-users', items: 'bench-new-items' };

/**
 * `npm run migrate`'s work on 10 000 old users and 50 000 old items: the embedded emulator in
 * its own process (so its memory is not ours), the old tables seeded with BatchWriteItem, the
 * migration in this process exactly as the command wires it. Counts every DynamoDB request by
 * operation against what the design needs (reads: scan pages and one batch read per page;
 * writes: rows / 25 batches plus one conditional put per user's login), samples RSS, and the
 * live heap after a full GC as rows go by: its slope says whether memory stays flat.
 */
export async function measureMigration(): Promise<MeasurementResult> {
  const emulator = await startScript('bench/lib/emulator-process.ts');
  const client = createDynamoClient({ region: 'us-east-1', endpoint: emulator.url });
  const doc = createDocumentClient(client);
  try {
    await createLegacyTables(client, OLD);
    await ensureTables(client, NEW);
    const gc = exposeGc();
    const { seedMs, wholeTablesMiB } = await seed(doc, gc);

    const settings: MigrateSettings = {
      storage: { region: 'us-east-1', dynamodbEndpoint: emulator.url },
      source: OLD,
      target: NEW,
      dryRun: false,
      segments: SEGMENTS,
    };
    const memory = new MemorySampler(gc);
    const first = await migrate(settings, { onStart: (report) => memory.start(report) });
    const samples = memory.stop();
    const second = await migrate(settings);

    const copiedItems = await count(doc, NEW.items);
    if (first.items.copied !== ITEMS || first.users.copied !== USERS || copiedItems !== ITEMS) {
      throw new Error(
        `migration bench: copied ${first.users.copied} users and ${first.items.copied} items ` +
          `(${copiedItems} in the table), not ${USERS} and ${ITEMS}`,
      );
    }
    const calls = first.requests.byOperation;
    const reads = (calls.Scan ?? 0) + (calls.BatchGetItem ?? 0) + (calls.GetItem ?? 0);
    const writes = (calls.BatchWriteItem ?? 0) + (calls.PutItem ?? 0);
    const scanPages = Math.ceil(USERS / PAGE) + Math.ceil(ITEMS / PAGE);
    // Per page one batch read of up to 3 keys a row (300 keys: 3 BatchGetItem calls of 100).
    const minimumReads = scanPages + 3 * scanPages;
    // Each segment may end in a partial page and an empty one, per table; 2 scans and 2 batch
    // reads check the tables first.
    const maximumReads = scanPages + 4 * SEGMENTS + 2 + 3 * (scanPages + 2 * SEGMENTS) + 2;
    const minimumWrites = (USERS + ITEMS) / 25 + USERS;
    const secondHalf = samples.heap.slice(Math.floor(samples.heap.length / 2));
    const heapSlope = slope(secondHalf.map((s) => ({ x: s.rows / 10_000, y: s.heapUsedMiB })));
    const rowsPerSecond = (USERS + ITEMS) / first.seconds;

    return {
      name: 'Migration',
      rows: [
        {
          case: `migrate ${USERS / 1000}k users + ${ITEMS / 1000}k items`,
          value: first.seconds,
          unit: 's',
          baselines: [{ label: 'seeding them (BatchWriteItem)', value: round(seedMs / 1000, 1) }],
          ratio: ratioOf(first.seconds * 1000, seedMs),
        },
        {
          case: 'reads (Scan pages + BatchGetItem)',
          value: reads,
          unit: 'calls',
          baselines: [{ label: 'pages × (1 scan + 3 batch reads)', value: minimumReads }],
          ratio: ratioOf(reads, minimumReads),
          target: `≤ ${maximumReads} (segments end in partial and empty pages; 4 table checks)`,
          met: reads <= maximumReads,
        },
        {
          case: 'writes (BatchWriteItem + PutItem)',
          value: writes,
          unit: 'calls',
          baselines: [{ label: 'rows / 25 + one put per login', value: minimumWrites }],
          ratio: ratioOf(writes, minimumWrites),
          target: `≤ ${minimumWrites + 2 * SEGMENTS} (a partial batch per segment and table)`,
          met: writes <= minimumWrites + 2 * SEGMENTS,
        },
        {
          case: 'peak RSS during the run',
          value: round(samples.peakRssMiB, 1),
          unit: 'MiB',
          baselines: [{ label: 'RSS before it', value: round(samples.rssBeforeMiB, 1) }],
          ratio: ratioOf(samples.peakRssMiB, samples.rssBeforeMiB),
        },
        {
          case: 'live heap growth per 10k rows (2nd half)',
          value: round(heapSlope, 3),
          unit: 'MiB',
          baselines: [{ label: 'both old tables held in memory', value: round(wholeTablesMiB, 1) }],
          target: `< ${HEAP_GROWTH_LIMIT_MIB} MiB per 10k rows (flat)`,
          met: heapSlope < HEAP_GROWTH_LIMIT_MIB,
        },
        {
          case: 'second run (nothing new)',
          value: second.seconds,
          unit: 's',
          baselines: [{ label: 'first run', value: first.seconds }],
          ratio: ratioOf(second.seconds, first.seconds),
          target: 'no writes',
          met: second.items.copied === 0 && !second.requests.byOperation.BatchWriteItem,
        },
      ],
      details: {
        users: USERS,
        items: ITEMS,
        segments: SEGMENTS,
        rowsPerSecond: round(rowsPerSecond, 0),
        firstRun: { ...first, skipped: first.skipped.length },
        secondRun: { ...second, skipped: second.skipped.length },
        seedMs: round(seedMs, 0),
        heapSamples: samples.heap,
        peakRssMiB: round(samples.peakRssMiB, 1),
      },
      notes: [
        `Emulator (dynalite, in memory) in its own process; ${round(rowsPerSecond, 0)} rows/s on it, ` +
          'bounded by the emulator, not by the migration.',
        `Live heap sampled after a forced full GC every ${HEAP_EVERY_MS / 1000} s; "both old tables held in memory" ` +
          'is the heap the seeded rows took as plain objects, what a load-everything migration would hold.',
      ],
    };
  } finally {
    client.destroy();
    await emulator.stop();
  }
}

/** The old tables' rows, as the old service stored them; returns how long it took and what they weighed. */
async function seed(
  doc: DynamoDBDocumentClient,
  gc: () => void,
): Promise<{ seedMs: number; wholeTablesMiB: number }> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const hash = legacyFixture.users[0]!.record.hashed_password;
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: randomUUID(),
    username: i % 100 === 0 ? `Old User ${i}` : `old.user.${i}`,
    hashed_password: hash,
  }));
  const items = users.flatMap((user, u) =>
    Array.from({ length: ITEMS_PER_USER }, (_, j) => ({
      id: randomUUID(),
      owner_id: user.id,
      name: `item ${j} of user ${u}`,
      ...(j % 3 === 0 ? {} : { description: `written by the old service, ${j}` }),
    })),
  );
  gc();
  const wholeTablesMiB = (process.memoryUsage().heapUsed - heapBefore) / MiB;
  const started = performance.now();
  await Promise.all([inParallel(doc, OLD.users, users), inParallel(doc, OLD.items, items)]);
  return { seedMs: performance.now() - started, wholeTablesMiB };
}

/** BatchWriteItem in 8 lanes. */
async function inParallel(
  doc: DynamoDBDocumentClient,
  table: string,
  rows: readonly object[],
): Promise<void> {
  const lanes = 8;
  const share = Math.ceil(rows.length / lanes);
  await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      putRows(doc, table, rows.slice(lane * share, (lane + 1) * share)),
    ),
  );
}

async function count(doc: DynamoDBDocumentClient, table: string): Promise<number> {
  let total = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey }));
    total += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return total;
}

interface HeapSample {
  readonly rows: number;
  readonly heapUsedMiB: number;
}

/** RSS often, and the live heap after a full collection every second, against rows migrated so far. */
class MemorySampler {
  private readonly heap: HeapSample[] = [];
  private peakRss = 0;
  private rssBefore = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly gc: () => void) {}

  start(report: MigrationReport): void {
    this.rssBefore = process.memoryUsage().rss;
    this.peakRss = this.rssBefore;
    const rows = () => report.users.read + report.items.read;
    this.timers = [
      setInterval(() => (this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss)), RSS_EVERY_MS),
      setInterval(() => {
        this.gc();
        this.heap.push({ rows: rows(), heapUsedMiB: round(process.memoryUsage().heapUsed / MiB, 2) });
      }, HEAP_EVERY_MS),
    ];
  }

  stop(): { heap: HeapSample[]; peakRssMiB: number; rssBeforeMiB: number } {
    for (const timer of this.timers) clearInterval(timer);
    return { heap: this.heap, peakRssMiB: this.peakRss / MiB, rssBeforeMiB: this.rssBefore / MiB };
  }
}

/** A full collection on demand, without restarting Node with --expose-gc. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

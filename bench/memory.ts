import { createItem, expectData, expectStatus, httpSend, type Send } from './lib/api-client.js';
import { startHttpBenchEnvironment } from './lib/environment.js';
import { rssMiB, type RunningProcess } from './lib/processes.js';
import { ITEM_QUERY, ITEMS_WITH_OWNERS_QUERY, ME_QUERY } from './lib/queries.js';
import { ratioOf, type MeasurementResult } from './lib/report.js';
import { round, slope } from './lib/stats.js';

const REQUESTS = 10_000;
const CONCURRENCY = 8;
const RSS_EVERY = 250;
const HEAP_EVERY = 1_000;
/** Live-heap growth over the last half, extrapolated to 10 000 requests, that counts as a leak. */
const HEAP_GROWTH_LIMIT_MIB = 1;

type Step = (send: Send) => Promise<unknown>;

/**
 * Memory of the service process over 10 000 mixed requests (reads and writes, REST and
 * GraphQL): RSS from /proc every 250 requests, and the live heap after a forced full GC every
 * 1 000. A least-squares slope over the last half says whether memory levels off. The
 * baseline is the bare server after 10 000 of its own reads, measured the same way.
 */
export async function measureMemory(): Promise<MeasurementResult> {
  const env = await startHttpBenchEnvironment(20);
  try {
    const { token } = env.user;
    const itemId = env.itemIds[0] as string;
    const gql = (query: string, variables: Record<string, unknown>) => async (send: Send) =>
      expectData(
        await send({ method: 'POST', path: '/graphql', body: { query, variables }, token }),
        'graphql',
      );
    // One cycle creates, renames and deletes an item, so the data set stays the same size.
    const cycle: Step[] = [
      async (send) => expectStatus(await send({ path: `/item/${itemId}`, token }), 200, 'get'),
      async (send) =>
        expectStatus(await send({ path: '/item/', token, query: { limit: '20' } }), 200, 'list'),
      gql(ITEM_QUERY, { id: itemId }),
      gql(ITEMS_WITH_OWNERS_QUERY, { first: 20 }),
      gql(ME_QUERY, {}),
      async (send) => {
        const id = await createItem(send, token, 'memory churn');
        expectStatus(
          await send({ method: 'PUT', path: `/item/${id}`, token, body: { name: 'renamed' } }),
          200,
          'put',
        );
        expectStatus(await send({ method: 'DELETE', path: `/item/${id}`, token }), 204, 'delete');
      },
    ];
    const ours = await drive(httpSend(env.service.url), env.service, cycle);

    const baselineCycle: Step[] = [
      async (send) => expectStatus(await send({ path: `/item/${itemId}` }), 200, 'baseline get'),
      async (send) =>
        expectStatus(await send({ path: '/item/', query: { limit: '20' } }), 200, 'baseline list'),
      async (send) =>
        expectData(
          await send({
            method: 'POST',
            path: '/graphql',
            body: { query: ITEM_QUERY, variables: { id: itemId } },
          }),
          'baseline graphql',
        ),
      async (send) =>
        expectData(
          await send({
            method: 'POST',
            path: '/graphql',
            body: { query: ITEMS_WITH_OWNERS_QUERY, variables: { first: 20 } },
          }),
          'baseline graphql list',
        ),
    ];
    const bare = await drive(httpSend(env.baseline.url), env.baseline, baselineCycle);

    return {
      name: 'Memory',
      rows: [
        {
          case: `RSS after ${REQUESTS} mixed requests`,
          value: round(ours.finalMiB, 1),
          unit: 'MiB',
          baselines: [
            { label: 'bare server', value: round(bare.finalMiB, 1) },
            { label: 'ours at start', value: round(ours.startMiB, 1) },
          ],
          ratio: ratioOf(ours.finalMiB, bare.finalMiB),
        },
        {
          case: 'RSS slope, last half (per 10k req)',
          value: ours.rssSlopePer10k,
          unit: 'MiB',
          baselines: [{ label: 'bare server', value: bare.rssSlopePer10k }],
        },
        {
          case: 'live heap after GC, start → end',
          value: ours.heapFinalMiB,
          unit: 'MiB',
          baselines: [
            { label: 'ours at start', value: ours.heapStartMiB },
            { label: 'bare server', value: bare.heapFinalMiB },
          ],
          ratio: ratioOf(ours.heapFinalMiB, ours.heapStartMiB),
        },
        {
          case: 'live heap slope, last half (per 10k req)',
          value: ours.heapSlopePer10k,
          unit: 'MiB',
          baselines: [{ label: 'bare server', value: bare.heapSlopePer10k }],
          target: `≤ ${HEAP_GROWTH_LIMIT_MIB} MiB (no leak)`,
          met: ours.heapSlopePer10k <= HEAP_GROWTH_LIMIT_MIB,
        },
      ],
      details: {
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        ours,
        baseline: bare,
      },
      notes: [
        'Mix per cycle: REST get, REST list, GraphQL item, GraphQL list with owners, GraphQL me, REST create + update + delete.',
        'RSS from /proc/<pid>/status (VmRSS) between GCs; live heap = heapUsed right after a forced full GC (--expose-gc, asked over IPC with traffic paused).',
      ],
    };
  } finally {
    await env.close();
  }
}

interface MemoryRun {
  readonly requests: number;
  readonly startMiB: number;
  readonly finalMiB: number;
  readonly peakMiB: number;
  /** Live heap after a full GC, at the start and after the last request. */
  readonly heapStartMiB: number;
  readonly heapFinalMiB: number;
  /** Least-squares slopes over the last half of the run, extrapolated to 10 000 requests. */
  readonly rssSlopePer10k: number;
  readonly heapSlopePer10k: number;
  readonly rss: readonly { requests: number; rssMiB: number }[];
  readonly heap: readonly { requests: number; heapUsedMiB: number }[];
}

async function drive(send: Send, server: RunningProcess, cycle: Step[]): Promise<MemoryRun> {
  const pid = server.child.pid as number;
  const heapAt = async (requests: number) => ({
    requests,
    heapUsedMiB: round((await server.heapAfterGc()).heapUsedMiB, 2),
  });
  const heap = [await heapAt(0)];
  const rss = [{ requests: 0, rssMiB: round(await rssMiB(pid), 2) }];
  let sent = 0;
  let position = 0;
  const counted: Send = (request) => {
    sent++;
    return send(request);
  };
  const step = async () => {
    await (cycle[position++ % cycle.length] as Step)(counted);
    if (sent >= rss.length * RSS_EVERY) rss.push({ requests: sent, rssMiB: round(await rssMiB(pid), 2) });
  };
  // Traffic pauses at each heap checkpoint, so that the forced collection sees a quiet heap.
  for (let checkpoint = HEAP_EVERY; checkpoint <= REQUESTS; checkpoint += HEAP_EVERY) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < checkpoint) await step();
      }),
    );
    if (checkpoint === REQUESTS) rss.push({ requests: sent, rssMiB: round(await rssMiB(pid), 2) });
    heap.push(await heapAt(sent));
  }
  const lastHalf = <T extends { requests: number }>(samples: readonly T[], y: (s: T) => number) =>
    slope(samples.filter((s) => s.requests >= REQUESTS / 2).map((s) => ({ x: s.requests, y: y(s) }))) *
    10_000;
  return {
    requests: sent,
    startMiB: rss[0]?.rssMiB ?? Number.NaN,
    finalMiB: rss.at(-1)?.rssMiB ?? Number.NaN,
    peakMiB: Math.max(...rss.map((s) => s.rssMiB)),
    heapStartMiB: heap[0]?.heapUsedMiB ?? Number.NaN,
    heapFinalMiB: heap.at(-1)?.heapUsedMiB ?? Number.NaN,
    rssSlopePer10k: round(
      lastHalf(rss, (s) => s.rssMiB),
      2,
    ),
    heapSlopePer10k: round(
      lastHalf(heap, (s) => s.heapUsedMiB),
      2,
    ),
    rss,
    heap,
  };
}

import autocannon from 'autocannon';
import { expectData, expectStatus, httpSend } from './lib/api-client.js';
import { startHttpBenchEnvironment, type HttpBenchEnvironment } from './lib/environment.js';
import { cpuMs } from './lib/processes.js';
import { ITEM_QUERY, ITEMS_WITH_OWNERS_QUERY } from './lib/queries.js';
import { ratioOf, type MeasurementResult, type ResultRow } from './lib/report.js';
import { median, round } from './lib/stats.js';

const CONNECTIONS = 10;
const SECONDS = 3;
const ROUNDS = 3;
const LIST_SIZE = 20;

interface Case {
  readonly name: string;
  readonly baselineName: string;
  /** Minimum share of the baseline's requests per second. */
  readonly target: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  /** Our API needs a bearer token; the baselines do no auth. */
  readonly authenticated: boolean;
}

interface Run {
  readonly requestsPerSecond: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** CPU time the server process spent per request, in microseconds. */
  readonly serverCpuUs: number;
  /** CPU the emulator process used over the run, in cores (1 = one core fully busy). */
  readonly emulatorCores: number;
}

/**
 * Requests per second of the local server (node:http → proxy event → the Lambda handler) with
 * autocannon on loopback, against the bare baselines on the same emulator. Each case runs in
 * alternating short rounds, baseline then ours, and reports the median round.
 */
export async function measureThroughput(): Promise<MeasurementResult> {
  const env = await startHttpBenchEnvironment(LIST_SIZE);
  try {
    const itemId = env.itemIds[0] as string;
    const cases = casesFor(itemId);
    await checkAnswers(env, itemId);

    const rows: ResultRow[] = [];
    const details: Record<string, unknown> = {};
    for (const c of cases) {
      const ours: Run[] = [];
      const bare: Run[] = [];
      await load(env, env.baseline, c, 1);
      await load(env, env.service, c, 1);
      for (let round = 0; round < ROUNDS; round++) {
        bare.push(await load(env, env.baseline, c, SECONDS));
        ours.push(await load(env, env.service, c, SECONDS));
      }
      const oursRps = median(ours.map((r) => r.requestsPerSecond));
      const bareRps = median(bare.map((r) => r.requestsPerSecond));
      const ratio = ratioOf(oursRps, bareRps);
      rows.push({
        case: `${c.name} req/s`,
        value: Math.round(oursRps),
        unit: 'req/s',
        baselines: [{ label: c.baselineName, value: Math.round(bareRps) }],
        ratio,
        target: `≥ ${c.target * 100}% of baseline`,
        met: ratio >= c.target,
      });
      const oursCpu = median(ours.map((r) => r.serverCpuUs));
      const bareCpu = median(bare.map((r) => r.serverCpuUs));
      rows.push({
        case: `${c.name} server CPU/req`,
        value: oursCpu,
        unit: 'µs',
        baselines: [{ label: c.baselineName, value: bareCpu }],
        ratio: ratioOf(oursCpu, bareCpu),
      });
      details[c.name] = { ours: summarize(ours), baseline: summarize(bare) };
    }
    return {
      name: 'Throughput',
      rows,
      details: {
        connections: CONNECTIONS,
        secondsPerRound: SECONDS,
        rounds: ROUNDS,
        listSize: LIST_SIZE,
        ...details,
      },
      notes: [
        `autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s per server and case; median round.`,
        'The emulator, both servers and autocannon share the same 2 cores; serverCpuUs is the server process’s CPU per request.',
      ],
    };
  } finally {
    await env.close();
  }
}

function casesFor(itemId: string): Case[] {
  const graphql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
  return [
    {
      name: 'REST get item',
      baselineName: 'bare GetItem',
      target: 0.5,
      method: 'GET',
      path: `/item/${itemId}`,
      authenticated: true,
    },
    {
      name: `REST list (${LIST_SIZE})`,
      baselineName: 'bare Query',
      target: 0.5,
      method: 'GET',
      path: `/item/?limit=${LIST_SIZE}`,
      authenticated: true,
    },
    {
      name: 'GraphQL item',
      baselineName: 'graphql-js',
      target: 0.3,
      method: 'POST',
      path: '/graphql',
      body: graphql(ITEM_QUERY, { id: itemId }),
      authenticated: true,
    },
    {
      name: `GraphQL list (${LIST_SIZE}) with owners`,
      baselineName: 'graphql-js',
      target: 0.3,
      method: 'POST',
      path: '/graphql',
      body: graphql(ITEMS_WITH_OWNERS_QUERY, { first: LIST_SIZE }),
      authenticated: true,
    },
  ];
}

/** Both servers must answer every case correctly before their speed means anything. */
async function checkAnswers(env: HttpBenchEnvironment, itemId: string): Promise<void> {
  for (const [server, token] of [
    [env.service, env.user.token],
    [env.baseline, undefined],
  ] as const) {
    const send = httpSend(server.url);
    const auth = token ? { token } : {};
    expectStatus(await send({ path: `/item/${itemId}`, ...auth }), 200, `${server.url} get item`);
    const list = expectStatus(
      await send({ path: '/item/', query: { limit: String(LIST_SIZE) }, ...auth }),
      200,
      'list',
    );
    if ((list.json as unknown[]).length !== LIST_SIZE)
      throw new Error(`${server.url} listed the wrong number of items`);
    expectData(
      await send({
        method: 'POST',
        path: '/graphql',
        body: { query: ITEM_QUERY, variables: { id: itemId } },
        ...auth,
      }),
      `${server.url} GraphQL item`,
    );
    const data = expectData(
      await send({
        method: 'POST',
        path: '/graphql',
        body: { query: ITEMS_WITH_OWNERS_QUERY, variables: { first: LIST_SIZE } },
        ...auth,
      }),
      `${server.url} GraphQL list`,
    );
    const edges = (data.items as { edges: { node: { owner: { id: string } } }[] }).edges;
    if (edges.length !== LIST_SIZE || edges.some((e) => e.node.owner.id !== env.user.userId)) {
      throw new Error(`${server.url} GraphQL list answered the wrong items or owners`);
    }
  }
}

async function load(
  env: HttpBenchEnvironment,
  server: { url: string; child: { pid?: number | undefined } },
  c: Case,
  seconds: number,
): Promise<Run> {
  const serverPid = server.child.pid as number;
  const emulatorPid = env.emulator.child.pid as number;
  const [serverCpu0, emulatorCpu0, start] = [
    await cpuMs(serverPid),
    await cpuMs(emulatorPid),
    performance.now(),
  ];
  const result = await autocannon({
    url: `${server.url}${c.path}`,
    method: c.method,
    connections: CONNECTIONS,
    duration: seconds,
    headers: {
      ...(c.body ? { 'content-type': 'application/json' } : {}),
      ...(c.authenticated && server.url === env.service.url
        ? { authorization: `Bearer ${env.user.token}` }
        : {}),
    },
    ...(c.body ? { body: c.body } : {}),
  });
  const elapsedMs = performance.now() - start;
  const [serverCpu1, emulatorCpu1] = [await cpuMs(serverPid), await cpuMs(emulatorPid)];
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `${c.name} on ${server.url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
    );
  }
  return {
    requestsPerSecond: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    serverCpuUs: round(((serverCpu1 - serverCpu0) * 1000) / Math.max(1, result.requests.total), 1),
    emulatorCores: round((emulatorCpu1 - emulatorCpu0) / elapsedMs, 2),
  };
}

function summarize(runs: Run[]) {
  return {
    requestsPerSecond: runs.map((r) => Math.round(r.requestsPerSecond)),
    latencyP50Ms: median(runs.map((r) => r.latencyP50)),
    latencyP99Ms: median(runs.map((r) => r.latencyP99)),
    serverCpuUsPerRequest: median(runs.map((r) => r.serverCpuUs)),
    emulatorCores: median(runs.map((r) => r.emulatorCores)),
  };
}

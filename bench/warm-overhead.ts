import { graphqlBaseline } from './baselines/graphql-baseline.js';
import { restBaseline } from './baselines/rest-baseline.js';
import { createItem, expectData, expectStatus, registerUser } from './lib/api-client.js';
import { freshEvent, startInProcessApp } from './lib/in-process-app.js';
import { ITEM_QUERY } from './lib/queries.js';
import type { MeasurementResult, ResultRow } from './lib/report.js';
import { ratioOf } from './lib/report.js';
import { median, percentile, round } from './lib/stats.js';
import { apiGatewayEvent, lambdaContext } from '../test/helpers/api-gateway-events.js';

const ROUNDS = 5;
const PER_ROUND = 1_500;
const WARMUP = 1_000;

type Case = () => Promise<unknown>;

/**
 * Per-request cost of our code, in process, with storage answering instantly: the wire tap
 * replays the emulator's recorded reply to each DynamoDB request, so the SDK still serializes,
 * signs and parses, but no byte leaves the process. Cases run in interleaved rounds so that
 * noise from other work on the machine lands on ours and the baselines alike.
 */
export async function measureWarmOverhead(): Promise<MeasurementResult> {
  const app = await startInProcessApp();
  try {
    const user = await registerUser(app.send, 'warm');
    const itemId = await createItem(app.send, user.token, 'warm item');
    const context = lambdaContext();
    const auth = { Authorization: `Bearer ${user.token}` };
    const restEvent = apiGatewayEvent({ path: `/item/${itemId}`, headers: auth });
    const graphqlEvent = apiGatewayEvent({
      method: 'POST',
      path: '/graphql',
      headers: auth,
      body: { query: ITEM_QUERY, variables: { id: itemId } },
    });
    const healthEvent = apiGatewayEvent({ path: '/health' });
    const bare = restBaseline(app.doc, app.config.itemsTable);
    const rawGraphql = graphqlBaseline({
      doc: app.doc,
      itemsTable: app.config.itemsTable,
      usersTable: app.config.usersTable,
      ownerId: user.userId,
    });

    const cases: Record<string, Case> = {
      'REST get item': async () =>
        expectStatus(await app.send({ path: `/item/${itemId}`, token: user.token }), 200, 'warm REST'),
      'GraphQL item': async () =>
        expectData(await app.graphql(ITEM_QUERY, { id: itemId }, user.token), 'warm GraphQL'),
      'bare GetItem': () => bare.getItem(itemId),
      'graphql-js execute': async () => {
        const result = await rawGraphql(ITEM_QUERY, { id: itemId });
        if (result.errors) throw new Error(`baseline GraphQL: ${JSON.stringify(result.errors)}`);
      },
      '/health': async () => expectStatus(await app.send({ path: '/health' }), 200, 'health'),
    };
    // Once through the emulator, checking the answers and recording the replies to replay.
    app.wire.mode = 'record';
    for (const run of Object.values(cases)) await run();
    app.wire.mode = 'replay';

    // Timed: the handler on prebuilt events (building an event from the fixture file is test
    // scaffolding, not service work); the baselines as they are.
    const timed: Record<string, () => Promise<unknown>> = {
      'REST get item': () => app.handler(freshEvent(restEvent), context).then(ok),
      'GraphQL item': () => app.handler(freshEvent(graphqlEvent), context).then(ok),
      'bare GetItem': cases['bare GetItem'] as Case,
      'graphql-js execute': cases['graphql-js execute'] as Case,
      '/health': () => app.handler(freshEvent(healthEvent), context).then(ok),
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(timed).map((k) => [k, []]));
    for (const run of Object.values(timed)) for (let i = 0; i < WARMUP; i++) await run();
    app.clearLogs();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(timed)) {
        app.clearLogs();
        const into = samples[name] as number[];
        for (let i = 0; i < PER_ROUND; i++) {
          const start = performance.now();
          await run();
          into.push(performance.now() - start);
        }
      }
    }

    const p = (name: string, q: number) => round(percentile(samples[name] as number[], q), 4);
    const rows: ResultRow[] = [
      row('REST get item p50', p('REST get item', 50), 0.3, [
        { label: 'bare GetItem', value: p('bare GetItem', 50) },
        { label: '/health', value: p('/health', 50) },
      ]),
      row('REST get item p99', p('REST get item', 99), undefined, [
        { label: 'bare GetItem', value: p('bare GetItem', 99) },
      ]),
      row('GraphQL item p50', p('GraphQL item', 50), 1, [
        { label: 'graphql-js', value: p('graphql-js execute', 50) },
      ]),
      row('GraphQL item p99', p('GraphQL item', 99), undefined, [
        { label: 'graphql-js', value: p('graphql-js execute', 99) },
      ]),
    ];
    return {
      name: 'Warm overhead',
      rows,
      details: {
        rounds: ROUNDS,
        perRound: PER_ROUND,
        warmup: WARMUP,
        percentilesMs: Object.fromEntries(
          Object.entries(samples).map(([name, s]) => [
            name,
            { p50: round(median(s), 4), p90: round(percentile(s, 90), 4), p99: round(percentile(s, 99), 4) },
          ]),
        ),
      },
      notes: [
        'Storage answers instantly: an SDK middleware replays the emulator’s recorded reply in place of the HTTP call.',
        'Access-log lines are formatted as in Lambda and collected in memory by the test handler (no I/O), cleared between rounds.',
      ],
    };
  } finally {
    await app.close();
  }
}

function row(
  name: string,
  value: number,
  targetMs: number | undefined,
  baselines: { label: string; value: number }[],
): ResultRow {
  return {
    case: name,
    value,
    unit: 'ms',
    baselines,
    ratio: ratioOf(value, baselines[0]?.value ?? Number.NaN),
    ...(targetMs === undefined ? {} : { target: `≤ ${targetMs} ms`, met: value <= targetMs }),
  };
}

function ok(result: { statusCode: number }): void {
  if (result.statusCode !== 200) throw new Error(`warm overhead: the handler answered ${result.statusCode}`);
}

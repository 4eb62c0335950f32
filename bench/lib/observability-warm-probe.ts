import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGatewayEvent, lambdaContext } from '../../test/helpers/api-gateway-events.js';
import { createItem, expectData, expectStatus, registerUser } from './api-client.js';
import { freshEvent, startInProcessApp } from './in-process-app.js';
import { ITEM_QUERY } from './queries.js';

/**
 * One configuration of the observability bench's warm measurement, in a process of its own:
 * once loaded, the X-Ray SDK hooks every promise of its process (cls-hooked), so an in-process
 * comparison would charge it to the configurations without it too. As in Lambda: the SDK in its
 * Lambda mode (LAMBDA_TASK_ROOT), a new trace header per request, sampled unless said otherwise
 * (the worst case: X-Ray samples 1 request a second and 5 % of the rest), EMF lines on this
 * process's stdout (a pipe).
 *
 * BENCH_OBSERVABILITY: off | metrics | tracing | both, or `unsampled` (TRACING=full on requests
 * X-Ray did not sample: most of them in production). Prints `BENCH_RESULT {json}` on stderr.
 */
const WARMUP = 500;
const SAMPLES = 1_500;
const mode = process.env.BENCH_OBSERVABILITY ?? 'off';
const metricsOn = mode === 'metrics' || mode === 'both';
const tracingOn = mode === 'tracing' || mode === 'both' || mode === 'unsampled';
const sampled = mode === 'unsampled' ? 0 : 1;

process.env.LAMBDA_TASK_ROOT = mkdtempSync(join(tmpdir(), 'bench-observability-'));
const traceHeaders = Array.from(
  { length: 512 },
  () =>
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};` +
    `Parent=${randomBytes(8).toString('hex')};Sampled=${sampled}`,
);
let invocations = 0;
const nextInvocation = () => {
  process.env._X_AMZN_TRACE_ID = traceHeaders[invocations++ % traceHeaders.length];
};
nextInvocation();

const app = await startInProcessApp({
  ...(metricsOn ? { METRICS_NAMESPACE: 'bench', POWERTOOLS_SERVICE_NAME: 'bench' } : {}),
  ...(tracingOn ? { TRACING: 'full' } : {}),
});
try {
  const user = await registerUser(app.send, 'observability');
  const itemId = await createItem(app.send, user.token, 'observed item');
  const auth = { Authorization: `Bearer ${user.token}` };
  const restEvent = apiGatewayEvent({ path: `/item/${itemId}`, headers: auth });
  const graphqlEvent = apiGatewayEvent({
    method: 'POST',
    path: '/graphql',
    headers: auth,
    body: { query: ITEM_QUERY, variables: { id: itemId } },
  });
  const context = lambdaContext();
  // Once through the emulator, checking the answers and recording the replies to replay.
  app.wire.mode = 'record';
  expectStatus(await app.send({ path: `/item/${itemId}`, token: user.token }), 200, 'REST');
  expectData(await app.graphql(ITEM_QUERY, { id: itemId }, user.token), 'GraphQL');
  app.wire.mode = 'replay';

  const cases: Record<string, () => Promise<{ statusCode: number }>> = {
    'REST get item': () => app.handler(freshEvent(restEvent), context),
    'GraphQL item': () => app.handler(freshEvent(graphqlEvent), context),
  };
  const samples: Record<string, number[]> = {};
  for (const [name, run] of Object.entries(cases)) {
    for (let i = 0; i < WARMUP; i++) {
      nextInvocation();
      await run();
    }
    app.clearLogs();
    const into: number[] = (samples[name] = []);
    for (let i = 0; i < SAMPLES; i++) {
      nextInvocation();
      const start = performance.now();
      const { statusCode } = await run();
      into.push(performance.now() - start);
      if (statusCode !== 200) throw new Error(`${name} answered ${statusCode}`);
    }
  }
  process.stderr.write(`BENCH_RESULT ${JSON.stringify({ mode, samples })}\n`);
} finally {
  await app.close();
}

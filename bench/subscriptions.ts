import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBRecord } from 'aws-lambda';
import { createClient, type Client } from 'graphql-ws';
import { JwtTokens } from '../src/auth/tokens.js';
import { composeApp, createRequestContextFactory } from '../src/composition-root.js';
import { loadConfig } from '../src/config.js';
import { createExecutableSchema } from '../src/graphql/executable-schema.js';
import { ensureTables } from '../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo } from '../src/local/embedded-dynamodb.js';
import { startLocalServer, type LocalServer } from '../src/local/server.js';
import { createLogger } from '../src/logger.js';
import { ConnectionStore } from '../src/realtime/connection-store.js';
import { managementApis } from '../src/realtime/management-api.js';
import { createPublisher } from '../src/realtime/publisher.js';
import { subscriberContexts } from '../src/realtime/subscriber-context.js';
import { subscriptionDocuments } from '../src/realtime/subscription-document.js';
import { createWebSocketHandler } from '../src/realtime/websocket-handler.js';
import { createDocumentClient, createDynamoClient } from '../src/storage/dynamodb-client.js';
import { tables } from '../src/storage/tables.js';
import { startManagementApiStub } from '../test/helpers/management-api-stub.js';
import { restThroughHandler } from '../test/helpers/rest-through-handler.js';
import { webSocketEvent } from '../test/helpers/websocket-events.js';
import type { MeasurementResult, ResultRow } from './lib/report.js';
import { percentile, round } from './lib/stats.js';
import { WireTap } from './lib/wire-tap.js';

const WRITES = 200;
const SECRET = 'bench-subscriptions-signing-key-of-at-least-32-bytes';
const SELECTION = 'subscription { itemChanged { kind itemId version item { name version updatedAt } } }';

/**
 * GraphQL subscriptions: (1) locally, how long from a write to its event at the subscriber, with
 * 1 subscriber and with 100 (`npm start`'s server: REST write → embedded emulator → write tap →
 * change feed → graphql-ws → socket); (2) on the AWS path, what the stream publisher costs per
 * change: DynamoDB calls counted on the wire of its own client (the design: one owner-index Query
 * per owner per batch) and posts received by a local management API (one per subscriber).
 */
export async function measureSubscriptions(): Promise<MeasurementResult> {
  const latency = await measureLatency();
  const publisher = await measurePublisher();
  return {
    name: 'Subscriptions',
    rows: [...latency.rows, ...publisher.rows],
    details: { latency: latency.details, publisher: publisher.details },
    notes: [
      'Latency: sequential REST creates on the local server (embedded emulator); "ack" is the moment the client has the 201, "sent" the moment it sent the request. An event may beat the HTTP answer to the client (ack → event < 0): the tap publishes as soon as the write is in the store.',
      '100 subscribers: 100 connections of 2 users (50 each, the per-user limit), each write fanned out to its owner’s 50; latency until the LAST of them has it.',
      'Publisher: records are the stream-shaped records of real writes (the embedded write tap); calls counted at the innermost middleware of the publisher’s own DynamoDB client, posts at a local management API.',
    ],
  };
}

async function measureLatency(): Promise<{ rows: ResultRow[]; details: Record<string, unknown> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-subscriptions-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '4',
    JWT_SECRET: SECRET,
  });
  const server = await startLocalServer({ config });
  const clients: Client[] = [];
  try {
    const [a, b] = [await register(server, 'bench_a'), await register(server, 'bench_b')];
    const rows: ResultRow[] = [];
    const details: Record<string, unknown> = {};
    for (const [label, perUser] of [
      ['1 subscriber', 1],
      ['100 subscribers', 50],
    ] as const) {
      const received: number[][] = [];
      const owners = perUser === 1 ? [a] : [a, b];
      for (const owner of owners) {
        for (let i = 0; i < perUser; i++) {
          const client = createClient({
            url: server.subscriptionsUrl,
            retryAttempts: 0,
            connectionParams: { Authorization: `Bearer ${owner.token}` },
          });
          clients.push(client);
          const times: number[] = [];
          if (owner === a) received.push(times);
          client.subscribe(
            { query: SELECTION },
            { next: () => void times.push(performance.now()), error: () => {}, complete: () => {} },
          );
        }
      }
      await waitFor(() => server.activeSubscriptions() === owners.length * perUser);
      // Warm-up writes, not measured.
      for (let i = 0; i < 20; i++) await write(server, a.token, `warm ${i}`);
      await waitFor(() => received.every((t) => t.length === 20));
      for (const times of received) times.length = 0;
      const sent: number[] = [];
      const acked: number[] = [];
      for (let i = 0; i < WRITES; i++) {
        sent.push(performance.now());
        await write(server, a.token, `measured ${i}`);
        acked.push(performance.now());
        // B writes too: its changes must be filtered out of A's subscribers.
        if (perUser > 1 && i % 4 === 0) await write(server, b.token, `other ${i}`);
      }
      await waitFor(() => received.every((t) => t.length === WRITES), 30_000);
      const last = sent.map((_, i) => Math.max(...received.map((t) => t[i] as number)));
      const fromAck = last.map((at, i) => at - (acked[i] as number));
      const fromSent = last.map((at, i) => at - (sent[i] as number));
      for (const [name, values] of [
        ['write sent → event received', fromSent],
        ['write acknowledged → event received', fromAck],
      ] as const) {
        for (const p of [50, 99]) {
          rows.push({
            case: `${label}: ${name} (p${p})`,
            value: round(percentile(values, p), 2),
            unit: 'ms',
            baselines: [],
          });
        }
      }
      details[label] = { writes: WRITES, fromSent, fromAck };
      await Promise.all(clients.splice(0).map((client) => client.dispose()));
      await waitFor(() => server.activeSubscriptions() === 0);
    }
    return { rows, details };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function measurePublisher(): Promise<{ rows: ResultRow[]; details: Record<string, unknown> }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', BCRYPT_COST: '4', JWT_SECRET: SECRET });
  const records: DynamoDBRecord[] = [];
  const dynamo = await startEmbeddedDynamo({
    tapWrites: {
      tableName: config.itemsTable,
      keyNames: [tables.items.partitionKey.name],
      onRecords: (written) => void records.push(...written),
      onProblem: (problem) => {
        throw new Error(problem);
      },
    },
  });
  const stub = await startManagementApiStub('dev');
  try {
    const client = createDynamoClient({ region: config.region, endpoint: dynamo.endpoint });
    await ensureTables(client, {
      users: config.usersTable,
      items: config.itemsTable,
      connections: config.connectionsTable,
    });
    const doc = createDocumentClient(client);
    const logger = createLogger('silent');
    const assetsDir = fileURLToPath(new URL('../build/assets', import.meta.url));
    const rest = restThroughHandler(
      composeApp({ config, logger, dynamo: doc, signingKey: SECRET, assetsDir }),
    );
    const schema = createExecutableSchema();
    const prepare = subscriptionDocuments(schema, { hideFieldSuggestions: false });
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const messengers = managementApis({ region: config.region, credentials });
    const websocket = createWebSocketHandler({
      store: new ConnectionStore(doc, config.connectionsTable),
      messengers,
      managementEndpoint: stub.endpoint,
      tokens: new JwtTokens({
        signingKey: SECRET,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        ttlMinutes: 15,
      }),
      prepare,
      logger,
    });
    // The publisher's own client, tapped: what it sends is what the wire carries.
    const publisherClient = createDynamoClient({ region: config.region, endpoint: dynamo.endpoint });
    const wire = WireTap.attach(publisherClient);
    const publisherDoc = createDocumentClient(publisherClient);
    const publish = createPublisher({
      store: new ConnectionStore(publisherDoc, config.connectionsTable),
      messenger: messengers(stub.endpoint),
      schema,
      prepare,
      contexts: subscriberContexts(
        createRequestContextFactory({ config, logger, dynamo: publisherDoc, signingKey: SECRET }),
      ),
      logger,
    });

    const rows: ResultRow[] = [];
    const details: Record<string, unknown> = {};
    let connection = 0;
    for (const batch of [
      { name: '1 change, 1 owner × 1 subscriber', owners: 1, subscribers: 1, changes: 1 },
      { name: '100 changes, 10 owners × 5 subscribers', owners: 10, subscribers: 5, changes: 100 },
      { name: '100 changes, 1 owner × 50 subscribers', owners: 1, subscribers: 50, changes: 100 },
    ]) {
      const owners = [];
      for (let o = 0; o < batch.owners; o++) {
        const username = `pub_${connection}_${o}`;
        const registered = await rest('POST', '/user/register', {
          json: { username, password: 'correct horse battery' },
        });
        const token = (registered.body as { access_token: string }).access_token;
        owners.push(token);
        for (let s = 0; s < batch.subscribers; s++) {
          const connectionId = `bench-${++connection}=`;
          const send = (body: unknown) => websocket(webSocketEvent('message', { connectionId, body }));
          await send({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } });
          await send({ type: 'subscribe', id: '1', payload: { query: SELECTION } });
        }
      }
      records.length = 0;
      for (let i = 0; i < batch.changes; i++) {
        await rest('POST', '/item/', { token: owners[i % owners.length] as string, json: { name: `c${i}` } });
      }
      await waitFor(() => records.length === batch.changes);
      stub.reset();
      wire.reset();
      const result = await publish({ Records: records.splice(0) });
      if (result.batchItemFailures.length > 0) throw new Error(`publisher failed: ${JSON.stringify(result)}`);
      const calls = wire.total();
      const posts = stub.posts.length;
      rows.push(
        {
          case: `publisher, ${batch.name}: DynamoDB calls per change`,
          value: round(calls / batch.changes, 3),
          unit: 'calls',
          baselines: [{ label: 'owners/changes', value: round(batch.owners / batch.changes, 3) }],
          target: `= ${batch.owners} Query per batch`,
          met: calls === batch.owners,
        },
        {
          case: `publisher, ${batch.name}: posts per change`,
          value: round(posts / batch.changes, 3),
          unit: 'posts',
          baselines: [{ label: 'subscribers', value: batch.subscribers }],
          target: `= ${batch.subscribers}`,
          met: posts === batch.changes * batch.subscribers,
        },
      );
      details[batch.name] = { calls: wire.calls(), posts, changes: batch.changes };
    }
    return { rows, details };
  } finally {
    await stub.close();
    await dynamo.close();
  }
}

async function register(server: LocalServer, username: string) {
  const response = await fetch(`${server.url}/user/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  if (response.status !== 201) throw new Error(`register answered ${response.status}`);
  return { token: ((await response.json()) as { access_token: string }).access_token };
}

async function write(server: LocalServer, token: string, name: string): Promise<void> {
  const response = await fetch(`${server.url}/item/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`create answered ${response.status}`);
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for subscribers');
    await new Promise((done) => setTimeout(done, 2));
  }
}

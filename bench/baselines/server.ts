import '../lib/gc-probe.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { createDocumentClient, createDynamoClient } from '../../src/storage/dynamodb-client.js';
import { graphqlBaseline } from './graphql-baseline.js';
import { restBaseline } from './rest-baseline.js';

/**
 * The throughput baselines as one bare node:http process on the same emulator, with the same
 * client settings as the service: `GET /item/{id}` (one GetItem), `GET /item/?limit=N` (one
 * Query) and `POST /graphql` (raw graphql-js execute). Prints its URL on stderr.
 */
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const ownerId = process.env.BENCH_OWNER_ID ?? '';
const doc = createDocumentClient(
  createDynamoClient({ region: config.region, endpoint: config.dynamodbEndpoint }),
);
const rest = restBaseline(doc, config.itemsTable);
const graphql = graphqlBaseline({
  doc,
  itemsTable: config.itemsTable,
  usersTable: config.usersTable,
  ownerId,
});

const server = createServer((req, res) => {
  const send = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const url = new URL(req.url ?? '/', 'http://localhost');
  const answer = async () => {
    if (req.method === 'POST' && url.pathname === '/graphql') {
      const chunks: Buffer[] = [];
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString()) as {
        query: string;
        variables?: Record<string, unknown>;
      };
      return { status: 200, body: JSON.stringify(await graphql(query, variables)) };
    }
    if (url.pathname === '/item/' || url.pathname === '/item') {
      return rest.listItems(ownerId, Number(url.searchParams.get('limit') ?? 50));
    }
    const id = /^\/item\/([^/]+)$/.exec(url.pathname)?.[1];
    if (id) return rest.getItem(decodeURIComponent(id));
    return { status: 404, body: '{}' };
  };
  answer().then(
    ({ status, body }) => send(status, body),
    (error: unknown) => send(500, JSON.stringify({ detail: String(error) })),
  );
});

server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`baseline listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

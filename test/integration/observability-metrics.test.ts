import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS, type MetricDefinition } from '../../src/observability/metric-catalog.js';
import { awsError, injectFault } from '../helpers/dynamodb-recorder.js';
import { emfDocuments, emfViolations, metricsIn, stdoutLines, type EmfDocument } from '../helpers/emf.js';
import { graphqlThroughHandler, signUp, type GraphQLClient, type SignedUpUser } from '../helpers/graphql.js';
import {
  restThroughHandler,
  type HandlerRequest,
  type HandlerResponse,
} from '../helpers/rest-through-handler.js';
import { createTestHandler, type TestHandler } from '../helpers/test-handler.js';

const NAMESPACE = 'basic-item-crud';
const SERVICE = 'basic-item-crud-test';
const CATALOG: readonly MetricDefinition[] = Object.values(METRICS);

/** Where the document breaks metric-catalog.ts: an unknown metric, another unit or dimension set. */
function catalogViolations(document: EmfDocument): string[] {
  return Object.entries(metricsIn(document)).flatMap(([name, metric]) => {
    const definition = CATALOG.find((d) => d.name === name);
    if (!definition) return [`${name} is not in the catalog`];
    const problems: string[] = [];
    if (metric.unit !== definition.unit) problems.push(`${name} in ${metric.unit}, not ${definition.unit}`);
    if (JSON.stringify(metric.dimensions) !== JSON.stringify([definition.dimensions]))
      problems.push(`${name} with ${JSON.stringify(metric.dimensions)}, not [${definition.dimensions}]`);
    return problems;
  });
}

/** The metrics of the one EMF line `act` printed, after checking it against the spec and the catalog. */
async function metricsPrintedBy<T>(act: () => Promise<T>): Promise<{ result: T; document: EmfDocument }> {
  const { result, lines } = await stdoutLines(act);
  const documents = emfDocuments(lines);
  expect(documents, lines.join('\n')).toHaveLength(1);
  const document = documents[0] as EmfDocument;
  expect(emfViolations(document)).toEqual([]);
  expect(catalogViolations(document)).toEqual([]);
  expect(document._aws.CloudWatchMetrics.map((d) => d.Namespace)).toEqual(
    document._aws.CloudWatchMetrics.map(() => NAMESPACE),
  );
  return { result, document };
}

const valuesOf = (document: EmfDocument) =>
  Object.fromEntries(Object.entries(metricsIn(document)).map(([name, metric]) => [name, metric.value]));

describe('Metrics: the EMF lines the service prints (METRICS_NAMESPACE set)', () => {
  let app: TestHandler;
  let rest: HandlerRequest;
  let graphql: GraphQLClient;

  beforeAll(async () => {
    app = await createTestHandler({ METRICS_NAMESPACE: NAMESPACE, POWERTOOLS_SERVICE_NAME: SERVICE });
    rest = restThroughHandler(app.handler);
    graphql = graphqlThroughHandler(app.handler);
  });
  afterAll(() => app.stop());

  // First in this file: the handler's first request is the process's first.
  it('counts the cold start once, with the first request', async () => {
    const first = await metricsPrintedBy(() => rest('GET', '/health'));
    const second = await metricsPrintedBy(() => rest('GET', '/health'));

    expect(valuesOf(first.document)).toMatchObject({ ColdStarts: 1, Requests: 1 });
    expect(valuesOf(second.document)).not.toHaveProperty('ColdStarts');
  });

  describe('with a signed-up user', () => {
    let user: SignedUpUser;
    beforeAll(async () => {
      user = await (await stdoutLines(() => signUp(graphql))).result;
    });

    it('REST: POST /item/ prints one line: Requests by route and status class, Latency, ItemsCreated', async () => {
      // Act
      const { result, document } = await metricsPrintedBy(() =>
        rest('POST', '/item/', { token: user.token, json: { name: 'metered' } }),
      );

      // Assess
      expect(result.status).toBe(201);
      expect(document).toMatchObject({ service: SERVICE, route: 'POST /item/', statusClass: '2xx' });
      expect(valuesOf(document)).toEqual({ Requests: 1, Latency: expect.any(Number), ItemsCreated: 1 });
      expect(document.Latency).toBeGreaterThan(0);
    });

    it('GraphQL: a createItem mutation prints one line under the route POST /graphql', async () => {
      const { result, document } = await metricsPrintedBy(() =>
        graphql('mutation { createItem(input: { name: "metered" }) { id } }', { token: user.token }),
      );

      expect(result.body.errors).toBeUndefined();
      expect(document).toMatchObject({ service: SERVICE, route: 'POST /graphql', statusClass: '2xx' });
      expect(valuesOf(document)).toEqual({ Requests: 1, Latency: expect.any(Number), ItemsCreated: 1 });
    });

    it('a failed login counts in LoginsFailed, its 401 in the 4xx class', async () => {
      const { result, document } = await metricsPrintedBy(() =>
        rest('POST', '/user/login', { json: { username: user.username, password: 'not the password' } }),
      );

      expect(result.status).toBe(401);
      expect(document).toMatchObject({ route: 'POST /user/login', statusClass: '4xx' });
      expect(valuesOf(document)).toEqual({ Requests: 1, Latency: expect.any(Number), LoginsFailed: 1 });
    });

    const writes: [string, string, (itemId: string) => Promise<HandlerResponse>][] = [
      [
        'a login',
        'LoginsSucceeded',
        () =>
          rest('POST', '/user/login', {
            json: { username: user.username, password: 'correct horse battery' },
          }),
      ],
      [
        'an update',
        'ItemsUpdated',
        (id) => rest('PUT', `/item/${id}`, { token: user.token, json: { name: 'new' } }),
      ],
      ['a delete', 'ItemsDeleted', (id) => rest('DELETE', `/item/${id}`, { token: user.token })],
    ];
    it.each(writes)('counts %s in %s', async (_what, metric, act) => {
      // Prepare
      const created = await stdoutLines(() =>
        rest('POST', '/item/', { token: user.token, json: { name: 'x' } }),
      );
      const itemId = (created.result.body as { id: string }).id;

      // Act
      const { result, document } = await metricsPrintedBy(() => act(itemId));

      // Assess
      expect(result.status).toBeLessThan(300);
      expect(valuesOf(document)).toMatchObject({ [metric]: 1 });
    });

    it('names the route by its template, never the raw path', async () => {
      const item = (
        await stdoutLines(() => rest('POST', '/item/', { token: user.token, json: { name: 'x' } }))
      ).result.body as { id: string };

      const { lines } = await stdoutLines(() => rest('GET', `/api/item/${item.id}/`, { token: user.token }));

      expect(emfDocuments(lines)[0]).toMatchObject({ route: 'GET /item/{id}', statusClass: '2xx' });
      expect(lines.join('\n')).not.toContain(item.id);
    });

    it('counts DynamoDB throttles and the retries they cause, in the line of the request that met them', async () => {
      // Prepare: DynamoDB refuses the request's first call once, as throttled.
      let throttled = false;
      const remove = injectFault(app.client, () => {
        if (throttled) return undefined;
        throttled = true;
        return awsError('ProvisionedThroughputExceededException');
      });

      try {
        // Act
        const { result, document } = await metricsPrintedBy(() =>
          rest('GET', '/item/', { token: user.token }),
        );

        // Assess
        expect(result.status).toBe(200);
        expect(valuesOf(document)).toMatchObject({ DynamoDBThrottles: 1, DynamoDBRetries: 1, Requests: 1 });
      } finally {
        remove();
      }
    });
  });

  it.each([
    ['an unknown path', 'GET', '/no/such/thing', 'unmatched', '4xx'],
    ['a CORS preflight', 'OPTIONS', '/item/', 'OPTIONS *', '2xx'],
  ])('gives %s a route of its own, not its path', async (_what, method, path, route, statusClass) => {
    const { document } = await metricsPrintedBy(() => rest(method, path));

    expect(document).toMatchObject({ route, statusClass });
  });
});

describe('Metrics: off without METRICS_NAMESPACE (locally, in tests)', () => {
  let app: TestHandler;
  beforeAll(async () => {
    app = await createTestHandler();
  });
  afterAll(() => app.stop());

  it('prints no EMF line', async () => {
    const { result, lines } = await stdoutLines(() => restThroughHandler(app.handler)('GET', '/health'));

    expect(result.status).toBe(200);
    expect(emfDocuments(lines)).toEqual([]);
  });
});

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expectStatus, registerUser } from './lib/api-client.js';
import { startInProcessApp } from './lib/in-process-app.js';
import { ratioOf, type MeasurementResult } from './lib/report.js';
import { seedItems } from './lib/seed.js';
import { round } from './lib/stats.js';
import { OWNER_ID_INDEX } from '../src/storage/tables.js';

const ITEMS = 10_000;
const PAGE = 100;

/**
 * Pages through 10 000 items of one user with `GET /item/?limit=100`, following the `Link`
 * header, and checks that every item came exactly once, newest first. The baseline pages the
 * same index with raw Query calls on the same emulator.
 */
export async function measureListingScale(): Promise<MeasurementResult> {
  const app = await startInProcessApp();
  try {
    const user = await registerUser(app.send, 'scale');
    const seedStart = performance.now();
    const seeded = await seedItems(app.doc, app.config.itemsTable, user.userId, ITEMS);
    const seedMs = performance.now() - seedStart;
    const expected = seeded.map((r) => r.id).reverse();

    app.wire.reset();
    const restStart = performance.now();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const reply = expectStatus(
        await app.send({
          path: '/item/',
          token: user.token,
          query: { limit: String(PAGE), ...(cursor ? { cursor } : {}) },
        }),
        200,
        `page ${pages + 1}`,
      );
      pages++;
      for (const item of reply.json as { id: string }[]) seen.push(item.id);
      cursor = nextCursor(reply.headers.link);
    } while (cursor);
    const restMs = performance.now() - restStart;
    const restCalls = app.wire.calls();
    if (seen.length !== ITEMS || seen.some((id, i) => id !== expected[i])) {
      throw new Error(
        `listing scale: saw ${seen.length} items, not the ${ITEMS} seeded, newest first, once each`,
      );
    }

    app.wire.reset();
    const rawStart = performance.now();
    let rawCount = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await app.doc.send(
        new QueryCommand({
          TableName: app.config.itemsTable,
          IndexName: OWNER_ID_INDEX,
          KeyConditionExpression: 'owner_id = :owner',
          ExpressionAttributeValues: { ':owner': user.userId },
          ScanIndexForward: false,
          Limit: PAGE,
          ExclusiveStartKey: startKey,
        }),
      );
      rawCount += out.Items?.length ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    const rawMs = performance.now() - rawStart;
    const rawCalls = app.wire.total();

    const totalRest = Object.values(restCalls).reduce((a, b) => a + b, 0);
    return {
      name: 'Listing scale',
      rows: [
        {
          case: `REST page 10k items (limit ${PAGE})`,
          value: round(restMs / 1000, 2),
          unit: 's',
          baselines: [{ label: 'raw Query', value: round(rawMs / 1000, 2) }],
          ratio: ratioOf(restMs, rawMs),
        },
        {
          case: 'REST calls for 10k items',
          value: totalRest,
          unit: 'calls',
          baselines: [
            { label: 'raw Query', value: rawCalls },
            { label: 'min', value: Math.ceil(ITEMS / PAGE) },
          ],
          ratio: ratioOf(totalRest, rawCalls),
          target: `≤ ${Math.ceil(ITEMS / PAGE) + 1} (one Query per page)`,
          met:
            totalRest <= Math.ceil(ITEMS / PAGE) + 1 && Object.keys(restCalls).every((op) => op === 'Query'),
        },
      ],
      details: {
        items: ITEMS,
        pageSize: PAGE,
        pages,
        restCallsByOperation: restCalls,
        restMs: round(restMs, 1),
        msPerPage: round(restMs / pages, 2),
        rawQueryMs: round(rawMs, 1),
        rawItems: rawCount,
        seedMs: round(seedMs, 1),
      },
      notes: [`Seeded with ${Math.ceil(ITEMS / 25)} BatchWriteItem calls straight into the emulator.`],
    };
  } finally {
    await app.close();
  }
}

/** The cursor of the `Link: <...>; rel="next"` header, if there is a next page. */
function nextCursor(link: string | undefined): string | undefined {
  const target = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1];
  return target ? (new URL(target, 'http://localhost').searchParams.get('cursor') ?? undefined) : undefined;
}

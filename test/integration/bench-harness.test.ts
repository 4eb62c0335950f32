import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessApp, type InProcessApp } from '../../bench/lib/in-process-app.js';
import { percentile, slope } from '../../bench/lib/stats.js';

// The benchmark's own instruments must be right before their numbers mean anything.
// (No timing is asserted here: performance is measured by `npm run bench`, not tested.)

describe('Benchmark harness › stats', () => {
  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it('fits a least-squares slope', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 1 })))).toBeCloseTo(2);
    expect(slope([{ x: 1, y: 1 }])).toBeNaN();
  });
});

describe('Benchmark harness › wire tap', () => {
  let app: InProcessApp;
  const table = 'basic-item-crud-items';
  beforeAll(async () => {
    app = await startInProcessApp();
  });
  afterAll(() => app.close());

  it('counts every request by DynamoDB operation', async () => {
    // Prepare
    app.wire.reset();

    // Act
    await app.doc.send(new PutCommand({ TableName: table, Item: { id: 'tap-1', owner_id: 'o' } }));
    await app.doc.send(new GetCommand({ TableName: table, Key: { id: 'tap-1' } }));
    await app.doc.send(new GetCommand({ TableName: table, Key: { id: 'tap-1' } }));

    // Assess
    expect(app.wire.calls()).toEqual({ GetItem: 2, PutItem: 1 });
    expect(app.wire.total()).toBe(3);
  });

  it('replays a recorded reply without reaching the database', async () => {
    // Prepare: record the answer, then change the stored row behind the tap's back
    await app.doc.send(
      new PutCommand({ TableName: table, Item: { id: 'tap-2', owner_id: 'o', version: 1 } }),
    );
    app.wire.mode = 'record';
    const recorded = await app.doc.send(new GetCommand({ TableName: table, Key: { id: 'tap-2' } }));
    app.wire.mode = 'network';
    await app.doc.send(
      new PutCommand({ TableName: table, Item: { id: 'tap-2', owner_id: 'o', version: 2 } }),
    );

    // Act
    app.wire.mode = 'replay';
    const replayed = await app.doc.send(new GetCommand({ TableName: table, Key: { id: 'tap-2' } }));
    const unrecorded = await app.doc
      .send(new GetCommand({ TableName: table, Key: { id: 'never-recorded' } }))
      .catch((error: unknown) => error);
    app.wire.mode = 'network';

    // Assess
    expect(recorded.Item).toEqual({ id: 'tap-2', owner_id: 'o', version: 1 });
    expect(replayed.Item).toEqual(recorded.Item);
    expect(unrecorded).toBeInstanceOf(Error);
    expect((unrecorded as Error).message).toMatch(/no recorded reply for GetItem/);
  });
});

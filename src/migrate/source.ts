import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Row } from '../storage/records.js';

/** Rows per Scan page: one page is one unit of work (one BatchGet round, a few batch writes). */
export const PAGE_SIZE = 100;

/**
 * The old deployment's tables, as the migration sees them: it can scan them and do nothing
 * else. No method here sends anything but a consistent Scan, so no code path of the migration
 * can write to the source, whatever it gets wrong elsewhere (and the operator can grant the
 * source nothing but `dynamodb:Scan`).
 */
export class LegacySource {
  constructor(private readonly client: DynamoDBDocumentClient) {}

  /** One segment of a parallel scan, page by page: only one page is ever held in memory. */
  async *pages(table: string, segment: number, totalSegments: number): AsyncGenerator<Row[]> {
    let startKey: Row | undefined;
    do {
      const output = await this.client.send(
        new ScanCommand({
          TableName: table,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: PAGE_SIZE,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      startKey = output.LastEvaluatedKey;
      const rows = (output.Items ?? []) as Row[];
      if (rows.length > 0) yield rows;
    } while (startKey);
  }

  /** One row at most: proves the table is there and readable before anything is written. */
  async probe(table: string): Promise<void> {
    await this.client.send(new ScanCommand({ TableName: table, Limit: 1, ConsistentRead: true }));
  }
}

/**
 * Runs `handle` on every page of `table`, with one worker per segment. A failure stops the
 * other workers at their next page and is rethrown.
 */
export async function forEachPage(
  source: LegacySource,
  table: string,
  segments: number,
  handle: (rows: Row[]) => Promise<void>,
): Promise<void> {
  let failed = false;
  const worker = async (segment: number) => {
    try {
      for await (const rows of source.pages(table, segment, segments)) {
        if (failed) return;
        await handle(rows);
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  const results = await Promise.allSettled(Array.from({ length: segments }, (_, s) => worker(s)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

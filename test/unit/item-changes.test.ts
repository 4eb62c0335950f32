import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { itemChangesOf } from '../../src/realtime/item-changes.js';

const live = (over: Record<string, unknown> = {}) => ({
  id: 'i1',
  owner_id: 'u1',
  name: 'n',
  description: 'd',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
  version: 3,
  ...over,
});
const tombstone = { id: 'i1', deleted_at: '2026-01-03T00:00:00.000Z', expires_at: 1, write_token: 't' };

/** A NEW_AND_OLD_IMAGES record as Lambda delivers it, from plain rows. */
function record(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): DynamoDBRecord {
  return {
    eventName: !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/items/stream/2026-01-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1_767_400_000,
      Keys: marshall({ id: 'i1' }) as never,
      ...(before ? { OldImage: marshall(before) as never } : {}),
      ...(after ? { NewImage: marshall(after) as never } : {}),
      SequenceNumber: '1',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('Function: itemChangesOf (a stream record → what subscribers hear)', () => {
  it.each([
    ['INSERT of a live item', undefined, live(), [{ kind: 'CREATED', version: 3 }]],
    [
      'MODIFY live → live',
      live(),
      live({ version: 4, name: 'm' }),
      [{ kind: 'UPDATED', version: 4, item: { name: 'm' } }],
    ],
    [
      'MODIFY live → tombstone (the API deletes)',
      live(),
      tombstone,
      [{ kind: 'DELETED', version: 3, item: null, changedAt: tombstone.deleted_at }],
    ],
    [
      'MODIFY tombstone → live (re-created)',
      tombstone,
      live({ version: 1 }),
      [{ kind: 'CREATED', version: 1 }],
    ],
    [
      'REMOVE of a live item (account deletion, console)',
      live(),
      undefined,
      [{ kind: 'DELETED', version: 3, changedAt: '2026-01-03T00:26:40.000Z' }],
    ],
    ['REMOVE of a tombstone (TTL)', tombstone, undefined, []],
    ['INSERT of a row that is no item', undefined, { id: 'i1', name: 5 }, []],
    [
      'INSERT of an old-service row',
      undefined,
      { id: 'i1', owner_id: 'u1', name: 'old' },
      [{ kind: 'CREATED', version: 1, item: { description: '' } }],
    ],
  ])('%s', (_name, before, after, expected) => {
    // Act
    const changes = itemChangesOf(record(before, after));

    // Assess
    expect(changes).toMatchObject(expected);
    expect(changes).toHaveLength(expected.length);
  });

  it('reads an item moved to another owner as a deletion for one and a creation for the other', () => {
    // Act
    const changes = itemChangesOf(record(live(), live({ owner_id: 'u2', version: 4 })));

    // Assess
    expect(changes).toMatchObject([
      { kind: 'DELETED', ownerId: 'u1', itemId: 'i1', version: 3, item: null },
      { kind: 'CREATED', ownerId: 'u2', itemId: 'i1', version: 4, item: { ownerId: 'u2' } },
    ]);
  });
});

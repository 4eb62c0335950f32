import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from '../domain/entities.js';
import type { ItemChange } from '../domain/item-change.js';
import { readItemRow, type Row } from '../storage/records.js';

/** A stream record's image, in DynamoDB's attribute-value JSON. */
type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/**
 * What one record of the items table's stream (new and old images) means to subscribers, by
 * comparing what the item was with what it is, whatever wrote it: a live item appearing is
 * `CREATED` (also over a tombstone: a re-created item), a live item changing is `UPDATED`, a
 * live item becoming a tombstone or being removed (an account deletion, the console) is
 * `DELETED`. A tombstone changing or expiring means nothing. An item that moves to another
 * owner (a console edit) is a deletion for the one and a creation for the other. Rows that are
 * not valid items (see records.ts) count as absent.
 */
export function itemChangesOf(record: DynamoDBRecord): ItemChange[] {
  const stream = record.dynamodb ?? {};
  const before = liveItem(stream.OldImage);
  const after = liveItem(stream.NewImage);
  if (after && before?.ownerId === after.ownerId) return [changeOf('UPDATED', after)];
  const changes: ItemChange[] = [];
  if (before) {
    changes.push({
      kind: 'DELETED',
      itemId: before.id,
      ownerId: before.ownerId,
      version: before.version,
      item: null,
      changedAt: deletedAt(stream.NewImage) ?? seenAt(stream.ApproximateCreationDateTime),
    });
  }
  if (after) changes.push(changeOf('CREATED', after));
  return changes;
}

function changeOf(kind: 'CREATED' | 'UPDATED', item: Item): ItemChange {
  return {
    kind,
    itemId: item.id,
    ownerId: item.ownerId,
    version: item.version,
    item,
    changedAt: item.updatedAt,
  };
}

function liveItem(image: Image | undefined): Item | null {
  if (!image) return null;
  const read = readItemRow(rowOf(image));
  return read.kind === 'item' ? read.item : null;
}

/** The tombstone's own date, when the API deleted the item. */
function deletedAt(image: Image | undefined): string | undefined {
  const value = image ? rowOf(image).deleted_at : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Stream records date themselves in epoch seconds (DynamoDB Local: truncated to the minute). */
function seenAt(epochSeconds: number | undefined): string {
  return new Date(epochSeconds === undefined ? Date.now() : epochSeconds * 1000).toISOString();
}

function rowOf(image: Image): Row {
  // The Lambda types spell binary values as base64 strings, the SDK's as bytes; items hold none.
  return unmarshall(image as unknown as Record<string, SdkAttributeValue>);
}

import type { Row } from '../storage/records.js';

/**
 * The few conditions the migration writes under, each as DynamoDB evaluates it and as a dry run
 * evaluates it against what it read (and what it would have written), so that a dry run takes
 * the same branches as the real run.
 */
export interface WriteCondition {
  readonly expression: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, unknown>;
  /** The same test in memory, on the row as it stands (null: absent). */
  holds(current: Row | null): boolean;
}

/** Nobody holds the key: a name not yet claimed, a row not yet copied. */
export const absent: WriteCondition = {
  expression: 'attribute_not_exists(id)',
  holds: (current) => current === null,
};

/** Absent, or a copy of this user's credentials that the migration itself wrote earlier. */
export function absentOrHeldBy(userId: string): WriteCondition {
  return {
    expression: 'attribute_not_exists(id) OR user_id = :user',
    values: { ':user': userId },
    holds: (current) => current === null || current.user_id === userId,
  };
}

/** The credentials are still those that were read: no login rehashed them, no password changed. */
export function sameCredentials(userId: string, passwordHash: string): WriteCondition {
  return {
    expression: 'user_id = :user AND password_hash = :hash',
    values: { ':user': userId, ':hash': passwordHash },
    holds: (current) => current?.user_id === userId && current.password_hash === passwordHash,
  };
}

/** The reservation still lists exactly the names that were read (names are only ever added). */
export function reservationOfSize(count: number): WriteCondition {
  return {
    expression: '#collision = :true AND size(#names) = :count',
    names: { '#collision': 'collision', '#names': 'names' },
    values: { ':true': true, ':count': count },
    holds: (current) =>
      current?.collision === true && Array.isArray(current.names) && current.names.length === count,
  };
}

/** A copied item nobody edited in the new service, still copied from the old row that was read. */
export function untouchedCopy(digest: string): WriteCondition {
  return {
    expression: '#version = :one AND legacy_digest = :digest',
    names: { '#version': 'version' },
    values: { ':one': 1, ':digest': digest },
    holds: (current) => current?.version === 1 && current.legacy_digest === digest,
  };
}

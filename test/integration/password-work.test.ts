import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { UnauthenticatedError } from '../../src/domain/errors.js';
import { dynamoBackends } from '../helpers/dynamodb-backends.js';
import {
  rejection,
  startDataLayer,
  TEST_PASSWORD,
  type DataLayer,
  type TestAccount,
} from '../helpers/data-layer.js';

/** A bcrypt hash at the cost the tests configure (BCRYPT_COST 4). */
const COST_4_HASH = /^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/;

/**
 * Issue 15.9: an unknown username must cost the same bcrypt work as a wrong password, so that
 * timing does not tell which names exist. What is asserted is the work itself (one comparison
 * against a real hash of the configured cost), through the services' real login path; timing
 * parity belongs to a benchmark, not a test.
 */
describe('Login does the same password work whether or not the user exists', () => {
  const [embedded] = dynamoBackends;
  let db: DataLayer;
  let account: TestAccount;
  let compare: MockInstance<typeof bcrypt.compare>;

  beforeAll(async () => {
    db = await startDataLayer(embedded as (typeof dynamoBackends)[number]);
    account = await db.signUp('known');
  });
  afterAll(() => db?.close());
  afterEach(() => compare?.mockRestore());

  /** Counts bcrypt comparisons from here on, letting each one run for real. */
  const countComparisons = () => {
    compare = vi.spyOn(bcrypt, 'compare');
    return compare;
  };
  const login = (username: string, password: string) =>
    db.request().services.accounts.login({ username, password });

  it('compares once against the stored hash for a known user with a wrong password', async () => {
    // Prepare
    const comparisons = countComparisons();

    // Act
    await rejection(login(account.username, 'not the password'), UnauthenticatedError);

    // Assess
    expect(comparisons).toHaveBeenCalledTimes(1);
    expect(comparisons.mock.calls[0]?.[1]).toMatch(COST_4_HASH);
  });

  it('compares once against a decoy hash of the same cost for an unknown user', async () => {
    // Prepare
    const comparisons = countComparisons();

    // Act
    await rejection(login(`nobody_${account.username}`, 'not the password'), UnauthenticatedError);

    // Assess
    expect(comparisons).toHaveBeenCalledTimes(1);
    expect(comparisons.mock.calls[0]?.[0]).toBe('not the password');
    expect(comparisons.mock.calls[0]?.[1]).toMatch(COST_4_HASH);
  });

  it('compares once for the right password, as for a wrong one', async () => {
    // Prepare
    const comparisons = countComparisons();

    // Act
    await login(account.username, TEST_PASSWORD);

    // Assess
    expect(comparisons).toHaveBeenCalledTimes(1);
  });
});

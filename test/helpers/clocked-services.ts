import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BcryptPasswordHasher } from '../../src/auth/password-hasher.js';
import { HmacRefreshTokens } from '../../src/auth/refresh-tokens.js';
import { JwtTokens } from '../../src/auth/tokens.js';
import { createServices } from '../../src/domain/create-services.js';
import type { Services } from '../../src/domain/services.js';
import { idGenerator } from '../../src/storage/id-generator.js';
import { DynamoItemRepository } from '../../src/storage/item-repository.js';
import { createLoaders } from '../../src/storage/loaders.js';
import { PageCursors } from '../../src/storage/page-cursor.js';
import { DynamoSessionRepository } from '../../src/storage/session-repository.js';
import { DynamoUserRepository } from '../../src/storage/user-repository.js';
import { TEST_SIGNING_KEY } from './data-layer.js';

/** Where the services store: a client and the two tables. */
export interface ServiceStorage {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: { readonly users: string; readonly items: string };
}

/**
 * The domain services of one request on `storage`, wired as the handler wires them but with
 * the time `now()` (epoch milliseconds) given to the domain's clock and the repositories alike:
 * what depends on the time (the sign-in throttle's window) is tested without waiting for it.
 */
export function servicesAt(storage: ServiceStorage, now: () => number): Services {
  const { doc: client, tables } = storage;
  const loaders = createLoaders({ client, tables });
  return createServices({
    users: new DynamoUserRepository({ client, tableName: tables.users, loader: loaders.users, now }),
    items: new DynamoItemRepository({
      client,
      tableName: tables.items,
      loader: loaders.items,
      cursors: new PageCursors(TEST_SIGNING_KEY),
    }),
    sessions: new DynamoSessionRepository(client, tables.users),
    refreshTokens: new HmacRefreshTokens(TEST_SIGNING_KEY),
    refreshTtlDays: 30,
    passwords: new BcryptPasswordHasher(4),
    tokens: new JwtTokens({
      signingKey: TEST_SIGNING_KEY,
      issuer: 'test-issuer',
      audience: 'test-audience',
      ttlMinutes: 15,
    }),
    clock: { now: () => new Date(now()) },
    ids: idGenerator,
    events: { record: () => undefined },
  });
}

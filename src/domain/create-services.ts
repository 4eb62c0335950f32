import { createAccountService } from './account-service.js';
import { createItemService } from './item-service.js';
import type {
  Clock,
  DomainEvents,
  IdGenerator,
  ItemRepository,
  PasswordHasher,
  RefreshTokenCodec,
  SessionRepository,
  TokenIssuer,
  UserRepository,
} from './ports.js';
import type { Services } from './services.js';

export interface ServiceDependencies {
  readonly users: UserRepository;
  readonly items: ItemRepository;
  readonly passwords: PasswordHasher;
  readonly sessions: SessionRepository;
  readonly tokens: TokenIssuer;
  readonly refreshTokens: RefreshTokenCodec;
  /** How long a refresh token works (each rotation starts a new one). */
  readonly refreshTtlDays: number;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEvents;
}

/** The domain services of one request, over that request's repositories. */
export function createServices(deps: ServiceDependencies): Services {
  return {
    accounts: createAccountService(deps),
    items: createItemService(deps),
  };
}

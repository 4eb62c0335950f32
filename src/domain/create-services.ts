import { createAccountService } from './account-service.js';
import { createItemService } from './item-service.js';
import type {
  Clock,
  DomainEvents,
  IdGenerator,
  ItemRepository,
  PasswordHasher,
  TokenIssuer,
  UserRepository,
} from './ports.js';
import type { Services } from './services.js';

export interface ServiceDependencies {
  readonly users: UserRepository;
  readonly items: ItemRepository;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenIssuer;
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

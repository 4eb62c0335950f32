import type { Caller, User } from './entities.js';
import { NotFoundError, UnauthenticatedError } from './errors.js';
import { loginInput, parseInput, registerInput, usernameKey } from './input-rules.js';
import type {
  Clock,
  DomainEvents,
  IdGenerator,
  PasswordHasher,
  TokenIssuer,
  UserRepository,
} from './ports.js';
import type { AccountService } from './services.js';

export interface AccountServiceDependencies {
  readonly users: UserRepository;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenIssuer;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: DomainEvents;
}

export const INVALID_CREDENTIALS = 'Invalid credentials';

export function createAccountService(deps: AccountServiceDependencies): AccountService {
  const { users, passwords, tokens, clock, ids, events } = deps;
  return {
    async register(input) {
      const { username, password } = parseInput(registerInput, input);
      const user: User = { id: ids.newId(), username, createdAt: clock.now().toISOString() };
      const passwordHash = await passwords.hash(password);
      await users.create({ user, usernameKey: usernameKey(username), passwordHash });
      events.record('account.registered');
      return { user, token: tokens.issue(user.id) };
    },

    async login(input) {
      // Any name and password shape: old accounts follow the old service's rules, not today's.
      const { username, password } = parseInput(loginInput, input);
      const credentials = await users.findCredentials(usernameKey(username), username);
      // Unknown user or wrong password: the same bcrypt work, the same answer.
      const valid = await passwords.verify(password, credentials?.passwordHash ?? null, {
        allowTruncated: credentials?.legacy,
      });
      if (!credentials || !valid) {
        events.record('account.login_failed');
        throw new UnauthenticatedError(INVALID_CREDENTIALS);
      }
      // A hash below today's cost (an old account's) is upgraded now that the password is known:
      // one extra write, on this successful login only; losing a race to another login is fine.
      if (passwords.shouldRehash(credentials.passwordHash, password)) {
        await users.replacePasswordHash(credentials, await passwords.hash(password));
      }
      events.record('account.login_succeeded');
      return { user: credentials.user, token: tokens.issue(credentials.user.id) };
    },

    async me(caller: Caller) {
      const user = await users.getById(caller.userId);
      // A valid token for an account that no longer exists.
      if (!user) throw new NotFoundError('User not found');
      return user;
    },

    getUser: (id) => users.getById(id),
  };
}

import type { Caller, User } from './entities.js';
import { NotFoundError } from './errors.js';
import { loginInput, parseInput, registerInput, usernameKey } from './input-rules.js';
import { createAccountLifecycle } from './account-lifecycle.js';
import { createSessions } from './sessions.js';
import type { ItemRepository, SessionRepository } from './ports.js';
import type { AccountService } from './services.js';
import { createSignIn, type SignInDependencies } from './sign-in.js';

export { INVALID_CREDENTIALS } from './sign-in.js';

export interface AccountServiceDependencies extends SignInDependencies {
  readonly sessions: SessionRepository;
  readonly items: ItemRepository;
}

/** Accounts: signing up and in, the sessions that keep them signed in, and their lifecycle. */
export function createAccountService(deps: AccountServiceDependencies): AccountService {
  const { users, passwords, clock, ids, events } = deps;
  const signIn = createSignIn(deps);

  const me = async (caller: Caller): Promise<User> => {
    const user = await users.getById(caller.userId);
    // A valid token for an account that no longer exists.
    if (!user) throw new NotFoundError('User not found');
    return user;
  };

  return {
    async register(input) {
      const { username, password } = parseInput(registerInput, input);
      const user: User = { id: ids.newId(), username, createdAt: clock.now().toISOString() };
      const passwordHash = await passwords.hash(password);
      const ref = await users.create({ user, usernameKey: usernameKey(username), passwordHash });
      events.record('account.registered');
      return signIn.tokensFor(user, { ref, sessionsEpoch: 0 });
    },

    async login(input) {
      // Any name and password shape: old accounts follow the old service's rules, not today's.
      const { username, password } = parseInput(loginInput, input);
      const key = usernameKey(username);
      const credentials = await signIn.checkPassword(
        { credentials: await users.findCredentials(key, username), usernameKey: key },
        password,
      );
      events.record('account.login_succeeded');
      return signIn.tokensFor(credentials.user, credentials);
    },

    me,
    getUser: (id) => users.getById(id),
    ...createSessions({ ...deps, signIn }),
    ...createAccountLifecycle({ ...deps, signIn, me }),
  };
}

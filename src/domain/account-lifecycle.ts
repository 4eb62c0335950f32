import type { Caller, User } from './entities.js';
import { NotFoundError } from './errors.js';
import { accountDeletionInput, parseInput, passwordChangeInput, usernameKey } from './input-rules.js';
import type { DomainEvents, ItemRepository, PasswordHasher, UserRepository } from './ports.js';
import type { AccountService } from './services.js';
import type { SignIn } from './sign-in.js';

export interface AccountLifecycleDependencies {
  readonly users: UserRepository;
  readonly items: ItemRepository;
  readonly passwords: PasswordHasher;
  readonly events: DomainEvents;
  readonly signIn: SignIn;
  readonly me: (caller: Caller) => Promise<User>;
}

/** Changing the password and deleting the account: both prove the current password first. */
export function createAccountLifecycle(
  deps: AccountLifecycleDependencies,
): Pick<AccountService, 'changePassword' | 'deleteAccount'> {
  const { users, items, passwords, events, signIn, me } = deps;

  const credentialsOf = async (user: User) => {
    const credentials = await users.findCredentialsOf(user);
    if (!credentials) throw new NotFoundError('User not found');
    return credentials;
  };

  return {
    async changePassword(caller, input) {
      const { currentPassword, newPassword } = parseInput(passwordChangeInput, input);
      const user = await me(caller);
      const credentials = await signIn.checkPassword(
        { credentials: await credentialsOf(user), usernameKey: usernameKey(user.username) },
        currentPassword,
      );
      // One write: the new hash and a new sessions epoch (every refresh token dies), if no other
      // change of the password got there first.
      const changed = await users.changePassword(credentials, await passwords.hash(newPassword));
      if (!changed) throw new NotFoundError('User not found');
      events.record('account.password_changed');
      return signIn.tokensFor(user, { ...credentials, sessionsEpoch: credentials.sessionsEpoch + 1 });
    },

    /**
     * Everything of the account: its items, sessions, record and credentials, the credentials
     * (the name) last. Each step is idempotent, so an interrupted deletion completes when the
     * client sends the same request again; a repeat of a finished one answers as it did.
     */
    async deleteAccount(caller, input) {
      const { password } = parseInput(accountDeletionInput, input);
      const user = await users.getById(caller.userId);
      if (!user) {
        const state = await users.deletionState(caller.userId);
        if (!state) throw new NotFoundError('User not found');
        if (state.pendingCredentialsRef) {
          // The user record is gone already: only the credentials are left to delete, unless
          // the name, free of anything else, was taken over meanwhile (they are not ours then).
          const credentials = await users.credentialsAt(state.pendingCredentialsRef);
          if (credentials?.user.id === caller.userId) {
            await signIn.checkPassword({ credentials, usernameKey: '' }, password, { whileDeleting: true });
          }
          await users.finishDeletion({ id: caller.userId, username: null }, state.pendingCredentialsRef);
          events.record('account.deleted');
        }
        // Done: an access token issued before the deletion may still have written an item (it
        // stays valid until it expires); a repeat sweeps those too.
        await items.deleteAllOf(caller.userId);
        return;
      }
      const credentials = await signIn.checkPassword(
        { credentials: await credentialsOf(user), usernameKey: usernameKey(user.username) },
        password,
        { whileDeleting: true },
      );
      await users.startDeletion(user, credentials);
      await items.deleteAllOf(user.id);
      await users.finishDeletion({ id: user.id, username: user.username }, credentials.ref);
      events.record('account.deleted');
    },
  };
}

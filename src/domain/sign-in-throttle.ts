import type { FailedAttempts } from './ports.js';

/**
 * Failed password checks (logins, and the current password of a password change or an account
 * deletion) are counted per username in fixed windows; past the limit, no password of that name
 * is checked until the window ends. A known name keeps its count in its credentials, which a
 * login reads anyway: a successful login still costs one read.
 */
export const SIGN_IN_THROTTLE = { maxFailures: 5, windowSeconds: 15 * 60 } as const;

export interface ThrottleWindow {
  readonly window: number;
  /** When it ends: the TTL of what counts in it, and `Retry-After`. */
  readonly endsAtSec: number;
}

export function throttleWindow(now: Date): ThrottleWindow {
  const window = Math.floor(now.getTime() / 1000 / SIGN_IN_THROTTLE.windowSeconds);
  return { window, endsAtSec: (window + 1) * SIGN_IN_THROTTLE.windowSeconds };
}

/** Seconds to wait before this name's password is checked again, or null when it may be. */
export function throttledFor(failures: FailedAttempts, now: Date): number | null {
  const { window, endsAtSec } = throttleWindow(now);
  if (failures.window !== window || failures.count < SIGN_IN_THROTTLE.maxFailures) return null;
  return Math.max(1, Math.ceil(endsAtSec - now.getTime() / 1000));
}

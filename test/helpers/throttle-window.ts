import { setTimeout as sleep } from 'node:timers/promises';
import { usernameKey } from '../../src/domain/input-rules.js';
import { SIGN_IN_THROTTLE, throttleWindow } from '../../src/domain/sign-in-throttle.js';
import { markerId, throttleId } from '../../src/storage/records.js';

export { SIGN_IN_THROTTLE };

/** The throttle's fixed window of this moment (its number, and when it ends, in epoch seconds). */
export function currentWindow(): { window: number; endsAtSec: number } {
  return throttleWindow(new Date());
}

/**
 * Waits, if need be, until the current window has at least `marginMs` left: failures counted
 * across a window's end would start counting again, and a test that needs them all in one
 * window would fail once in a few hundred runs. Waits at most `marginMs`.
 */
export async function awayFromWindowEdge(marginMs = 15_000): Promise<void> {
  const left = currentWindow().endsAtSec * 1000 - Date.now();
  if (left < marginMs) await sleep(left + 50);
}

/** Where a name's failed checks are counted: its credentials when someone holds it, else a row of its own. */
export function throttleRowId(username: string, known: boolean): string {
  const key = usernameKey(username);
  return known ? markerId(key) : throttleId(key);
}

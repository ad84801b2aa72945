import { setImmediate } from 'node:timers/promises';

/**
 * For long work on the event loop (reading a large file): `await pause()` between steps
 * gives other requests their turn once the work has held the loop for `ms`, and costs
 * nothing before that. Call it every few hundred steps, not on each.
 */
export function pauser(ms = 5): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < ms) return;
    await setImmediate();
    since = performance.now();
  };
}

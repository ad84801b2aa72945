import crypto from 'node:crypto';
import os from 'node:os';

/**
 * How much slower than a quiet 2-core machine this one is now, so that the tests' time
 * limits and the load they make fit the machine instead of a wall-clock guess. Every
 * deadline is a safety net on a wait for a condition: multiplying it by this number makes
 * a slow machine slower to report a hang, never a wrong result pass.
 *
 * Measured once per run by the global setup (tests/support/global-setup.ts), which hands
 * it to every jest worker, and raised for a file that starts when the machine has become
 * busier; set OMOV_TIME_SCALE yourself to choose it.
 */
const ENV = 'OMOV_TIME_SCALE';
const MEASURED = 'OMOV_MEASURED_TIME_SCALE';
/** Never above this: a hang must still end the run. */
const MAX_SCALE = 20;

export type Measurement = { scale: number; load: number; cores: number; calibration: number };

/** CPU time of calibrate()'s work on the reference machine (2 cores, AMD EPYC), alone. */
const CALIBRATION_MS = 105;

/** A fixed piece of native work (no JIT to warm up), timed by the wall clock: it takes longer when the CPU is slower or shared. */
function calibrate(): number {
  const started = performance.now();
  for (let i = 0; i < 5; i++) crypto.pbkdf2Sync('omov', 'calibration', 100_000, 32, 'sha256');
  return (performance.now() - started) / CALIBRATION_MS;
}

export function measureTimeScale(): Measurement {
  const cores = os.availableParallelism();
  const load = os.loadavg()[0]!;
  const calibration = calibrate();
  // The suite keeps about one process per core busy itself; each other runnable process
  // (the load average, over the last minute) takes its share of the cores.
  const byLoad = 1 + load / cores;
  // The calibration sees this moment, the load average the last minute: the slower of the two.
  const scale = Math.min(MAX_SCALE, Math.max(1, byLoad, calibration));
  return { scale: Math.round(scale * 10) / 10, load, cores, calibration: Math.round(calibration * 10) / 10 };
}

let cached: number | undefined;

/**
 * The scale for this test file, fixed at its first use. OMOV_TIME_SCALE, if set, is the
 * answer; else the run's measurement, or more if the machine has become busier since (the
 * load average per core now, with the run's own processes among the load).
 */
export function timeScale(): number {
  if (cached === undefined) {
    const given = Number(process.env[ENV]);
    const measured = Number(process.env[MEASURED]);
    if (Number.isFinite(given) && given >= 1) cached = given;
    else if (Number.isFinite(measured) && measured >= 1) {
      const now = os.loadavg()[0]! / os.availableParallelism();
      cached = Math.round(Math.min(MAX_SCALE, Math.max(measured, now)) * 10) / 10;
    } else cached = measureTimeScale().scale; // a file run without the global setup
  }
  return cached;
}

/** The global setup's measurement (unless OMOV_TIME_SCALE is given), handed to the jest workers, which inherit its environment. */
export function shareTimeScale(): Measurement | undefined {
  if (process.env[ENV]) return undefined;
  const m = measureTimeScale();
  process.env[MEASURED] = String(m.scale);
  return m;
}

/** A time limit of `ms` on a quiet machine, on this one. */
export function scaled(ms: number): number {
  return Math.round(ms * timeScale());
}

/**
 * How many of `n` tasks to run at once here: `n` on a quiet machine, fewer on a busy one
 * (never fewer than one). The tasks are the same, only fewer run together.
 */
export function atOnce(n: number): number {
  return Math.max(1, Math.round(n / timeScale()));
}

/**
 * Waits until `probe` gives something other than undefined or false, and returns it.
 * `timeoutMs` is a quiet machine's deadline, scaled to this one; it is only a safety net.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + scaled(timeoutMs);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (${scaled(timeoutMs) / 1000} s)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Preloaded into a benchmark's server (NODE_OPTIONS=--require …/loop-delay.js): watches
 * its event loop's delay and its main thread's garbage collections. On SIGUSR2 it writes
 * the figures since the last SIGUSR2 to the file OMOV_BENCH_LOOP_FILE names (JSON: max, p50
 * and p99 in ms, how many samples, and the longest collection and how many were major) and
 * starts afresh, so a benchmark can measure one phase at a time.
 */
import fs from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.OMOV_BENCH_LOOP_FILE;
if (isMainThread && file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // A collection's duration is wall time: on a busy machine it includes the waits for a core.
  let gc = { max: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.max = Math.max(gc.max, e.duration);
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => ns / 1e6;
    const figures = { max: ms(h.max), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), samples: h.count, gc };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    fs.renameSync(`${file}.tmp`, file);
    h.reset();
    gc = { max: 0, major: 0 };
  });
}

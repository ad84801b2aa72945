/**
 * Preloaded into a benchmark's server (NODE_OPTIONS=--require …/loop-delay.js): watches
 * its event loop's delay. On SIGUSR2 it writes the figures since the last SIGUSR2 to the
 * file OMOV_BENCH_LOOP_FILE names (JSON: max, p50 and p99 in ms, and how many samples) and
 * starts afresh, so a benchmark can measure one phase at a time.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.OMOV_BENCH_LOOP_FILE;
if (isMainThread && file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => ns / 1e6;
    const figures = { max: ms(h.max), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), samples: h.count };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    fs.renameSync(`${file}.tmp`, file);
    h.reset();
  });
}

import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator of bench/cast.ts, in its own thread so that making requests does not
 * take turns with the server on one event loop. Phase "pages": GET each voting page and
 * read its csrf field. Phase "cast": POST each vote (step=cast) with that csrf field.
 */

export type LoadJob =
  | { phase: 'pages'; base: string; tokens: string[]; concurrency: number }
  | { phase: 'cast'; base: string; tokens: string[]; csrf: string[]; answers: string[][]; concurrency: number };

export type LoadReport = {
  /** Milliseconds per request, in request order. */
  latencies: number[];
  /** HTTP status per request. */
  statuses: number[];
  wallMs: number;
  /** Phase "pages": the csrf field of each page ('' when missing). */
  csrf: string[];
};

async function run(job: LoadJob): Promise<LoadReport> {
  const n = job.tokens.length;
  const latencies = new Array<number>(n).fill(0);
  const statuses = new Array<number>(n).fill(0);
  const csrf = new Array<string>(n).fill('');
  let next = 0;
  const one = async (i: number) => {
    const url = `${job.base}/v/${job.tokens[i]}`;
    const t0 = performance.now();
    if (job.phase === 'pages') {
      const res = await fetch(url);
      const text = await res.text();
      latencies[i] = performance.now() - t0;
      statuses[i] = res.status;
      csrf[i] = /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';
    } else {
      const body = new URLSearchParams([
        ['csrf', job.csrf[i]!],
        ...job.answers[i]!.map((a, q): [string, string] => [`q_${q}`, a]),
        ['step', 'cast'],
      ]);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
      await res.arrayBuffer();
      latencies[i] = performance.now() - t0;
      statuses[i] = res.status;
    }
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(job.concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        try {
          await one(i);
        } catch {
          statuses[i] = -1;
        }
      }
    }),
  );
  return { latencies, statuses, wallMs: performance.now() - started, csrf };
}

if (parentPort && workerData) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    (r) => port.postMessage(r),
    (err: unknown) => {
      throw err;
    },
  );
}

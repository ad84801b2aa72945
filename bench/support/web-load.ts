import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator of bench/web.ts, in its own thread so that the voters do not take
 * turns with the server on one event loop. Each voter is a phone of its own with its own
 * connection to the server. Time to first byte runs from sending the request to the
 * first byte of the response (its status line and headers) reaching this thread.
 *
 * Modes:
 * - "burst": `rounds` times, every voter opens their link at the same moment (a new
 *   connection each, as a phone opening the link from an email); the next round starts
 *   when all have their page, after a short pause.
 * - "loop": every voter reloads their page `rounds` times back to back over one
 *   keep-alive connection: the server's most pages per second, and the wait at that load.
 */
export type WebLoadJob = { base: string; tokens: string[]; rounds: number; mode: 'burst' | 'loop'; pauseMs?: number };
export type WebLoadReport = { ttfb: number[]; total: number[]; statuses: number[]; wallMs: number };

function get(url: string, agent: http.Agent | false): Promise<{ ttfb: number; total: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { agent }, (res) => {
      const ttfb = performance.now() - t0;
      res.on('data', () => undefined);
      res.on('end', () => resolve({ ttfb, total: performance.now() - t0, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function run(job: WebLoadJob): Promise<WebLoadReport> {
  const report: WebLoadReport = { ttfb: [], total: [], statuses: [], wallMs: 0 };
  const keep = (r: { ttfb: number; total: number; status: number }) => {
    report.ttfb.push(r.ttfb);
    report.total.push(r.total);
    report.statuses.push(r.status);
  };
  const url = (token: string) => `${job.base}/v/${token}`;
  const started = performance.now();
  if (job.mode === 'burst') {
    for (let i = 0; i < job.rounds; i++) {
      (await Promise.all(job.tokens.map((token) => get(url(token), false)))).forEach(keep);
      await new Promise((r) => setTimeout(r, job.pauseMs ?? 100));
    }
  } else {
    await Promise.all(job.tokens.map(async (token) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < job.rounds; i++) keep(await get(url(token), agent));
      } finally {
        agent.destroy();
      }
    }));
  }
  report.wallMs = performance.now() - started;
  return report;
}

if (parentPort && workerData) {
  const port = parentPort;
  run(workerData as WebLoadJob).then((r) => port.postMessage(r), (err: unknown) => { throw err; });
}

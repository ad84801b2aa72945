import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator of bench/web.ts, in its own thread so that the voters do not take
 * turns with the server on one event loop. Each voter is a phone of its own with its own
 * TCP connection. It speaks HTTP/1.1 over a plain socket rather than through node:http:
 * it shares the server's two cores, and a lighter client leaves more of them to the
 * server, as phones on their own hardware would.
 *
 * Timings per GET: `connect`, from dialling to the connection being established (the
 * kernel's handshake: the server program is not involved); `ttfb`, from writing the
 * request to the first byte of the response (the server accepting the connection, reading
 * and answering: everything the server does); `total`, from writing the request to the
 * last byte of the response.
 *
 * Modes:
 * - "burst": `rounds` times, every voter opens their link at the same moment (a new
 *   connection each, as a phone opening the link from an email); the next round starts
 *   when all have their page, after a short pause.
 * - "loop": every voter reloads their page `rounds` times back to back over one
 *   keep-alive connection: the server's most pages per second, and the wait at that load.
 */
export type WebLoadJob = { base: string; tokens: string[]; rounds: number; mode: 'burst' | 'loop'; pauseMs?: number };
export type WebLoadReport = {
  connect: number[];
  ttfb: number[];
  total: number[];
  statuses: number[];
  bytes: number[];
  wallMs: number;
};
type Timing = { ttfb: number; total: number; status: number; bytes: number };

const HEADER_END = Buffer.from('\r\n\r\n');

/** One voter's connection: sends GETs one after another and times each answer. */
class Connection {
  private socket: net.Socket;
  private buffered: Buffer[] = [];
  private received = 0;
  private sentAt = 0;
  private firstByteAt = 0;
  private pending: { resolve: (t: Timing) => void; reject: (err: Error) => void } | undefined;
  readonly connected: Promise<number>;

  constructor(
    url: URL,
    private readonly keepAlive: boolean,
  ) {
    const dialled = performance.now();
    this.socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve(performance.now() - dialled));
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err) => this.fail(err));
  }

  get(url: URL): Promise<Timing> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.buffered = [];
      this.received = 0;
      this.firstByteAt = 0;
      this.sentAt = performance.now();
      this.socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: bench-web\r\nAccept: text/html\r\nConnection: ${this.keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`,
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.firstByteAt === 0) this.firstByteAt = performance.now();
    this.buffered.push(chunk);
    this.received += chunk.length;
    if (!this.keepAlive) return; // read to the end of the connection
    const all = this.buffered.length === 1 ? chunk : Buffer.concat(this.buffered);
    this.buffered = [all];
    const end = all.indexOf(HEADER_END);
    if (end < 0) return;
    const length = /\r\ncontent-length: *(\d+)/i.exec(all.subarray(0, end).toString('latin1'))?.[1];
    if (length === undefined) return this.fail(new Error('a keep-alive response without Content-Length'));
    if (all.length >= end + 4 + Number(length)) this.finish(all);
  }

  private onEnd(): void {
    if (this.pending) this.finish(Buffer.concat(this.buffered));
  }

  private finish(response: Buffer): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response.subarray(0, 16).toString('latin1'))?.[1] ?? 0);
    p.resolve({
      ttfb: this.firstByteAt - this.sentAt,
      total: performance.now() - this.sentAt,
      status,
      bytes: response.length,
    });
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }
}

async function run(job: WebLoadJob): Promise<WebLoadReport> {
  const report: WebLoadReport = { connect: [], ttfb: [], total: [], statuses: [], bytes: [], wallMs: 0 };
  const keep = (connect: number, r: Timing) => {
    report.connect.push(connect);
    report.ttfb.push(r.ttfb);
    report.total.push(r.total);
    report.statuses.push(r.status);
    report.bytes.push(r.bytes);
  };
  const base = new URL(job.base);
  const url = (token: string) => new URL(`/v/${token}`, base);
  const started = performance.now();
  if (job.mode === 'burst') {
    for (let i = 0; i < job.rounds; i++) {
      await Promise.all(
        job.tokens.map(async (token) => {
          const c = new Connection(base, false);
          try {
            const connect = await c.connected;
            keep(connect, await c.get(url(token)));
          } finally {
            c.close();
          }
        }),
      );
      await new Promise((r) => setTimeout(r, job.pauseMs ?? 100));
    }
  } else {
    await Promise.all(
      job.tokens.map(async (token) => {
        const c = new Connection(base, true);
        try {
          const connect = await c.connected;
          for (let i = 0; i < job.rounds; i++) keep(i === 0 ? connect : 0, await c.get(url(token)));
        } finally {
          c.close();
        }
      }),
    );
  }
  report.wallMs = performance.now() - started;
  return report;
}

if (parentPort && workerData) {
  const port = parentPort;
  run(workerData as WebLoadJob).then(
    (r) => port.postMessage(r),
    (err: unknown) => {
      throw err;
    },
  );
}

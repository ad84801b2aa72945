import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db/database';
import { freshDatabase } from './db';
import { restartablePort, sleep } from './integrity';
import { scaled } from './machine';

/**
 * The compiled server (`node dist/src/cli/main.js serve`) as a separate process, so a test
 * can SIGKILL it (no shutdown hooks, no flushing: a crash) and start it again on the same
 * port and database. `npm test` builds dist first; alone, run `npx tsc -p tsconfig.build.json`.
 */
export const MAIN_JS = path.resolve(__dirname, '../../dist/src/cli/main.js');

export type ChildServer = {
  readonly url: string;
  /** True from a successful start until a kill or stop begins. */
  readonly up: boolean;
  /** How many times the process was SIGKILLed. */
  readonly kills: number;
  /** The running process's id (undefined when it is not running). */
  readonly pid: number | undefined;
  /** SIGTERM, as a service manager stops it; resolves with how it exited. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Spawns the server and waits until /healthz answers. */
  start(): Promise<void>;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** Resolves once the server is up (at once if it is); `timeoutMs` is a quiet machine's, scaled. */
  whenUp(timeoutMs?: number): Promise<void>;
  /** The last output of the current or last process, for failure messages. */
  output(): string;
  /** Kills the process if running and removes its data folder. Safe to call twice. */
  stop(): Promise<void>;
};

// A jest worker that dies must not leave servers behind: kill what is left on exit.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function childServer(opts: {
  databaseUrl: string;
  secret: string;
  env?: Record<string, string>;
}): Promise<ChildServer> {
  if (!fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build first (npx tsc -p tsconfig.build.json)`);
  // Restarted on the same port again and again: a port no outgoing connection can take meanwhile.
  const port = await restartablePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'omov-child-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    DATABASE_URL: opts.databaseUrl,
    OMOV_SECRET: opts.secret,
    MAIL_WORKER: 'off',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DB_CONNECT_TIMEOUT_MS: String(Math.min(600_000, scaled(5000))),
    ...opts.env,
  };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  let up = false;
  let kills = 0;
  // A start that failed: whoever waits for the server stops waiting.
  let failed: Error | undefined;
  let stopped = false;
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };

  async function healthy(): Promise<boolean> {
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(scaled(1000)) });
      await r.arrayBuffer();
      return r.ok;
    } catch {
      return false;
    }
  }

  const server: ChildServer = {
    url,
    get up() {
      return up;
    },
    get kills() {
      return kills;
    },
    get pid() {
      return child?.pid;
    },
    async start() {
      if (stopped) throw new Error('the server was stopped');
      if (child) throw new Error('the server is already running');
      tail = '';
      const c = spawn(process.execPath, [MAIN_JS, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      live.add(c);
      let gone = false;
      exited = new Promise<void>((resolve) =>
        c.once('close', (code, signal) => {
          gone = true;
          live.delete(c);
          exit = { code, signal };
          keep(Buffer.from(`\n[exited: code ${code}, signal ${signal}]`));
          resolve();
        }),
      );
      c.stdout?.on('data', keep);
      c.stderr?.on('data', keep);
      // Up when /healthz answers; the deadline only ends a start that hangs.
      const limit = scaled(30_000);
      const until = Date.now() + limit;
      while (!(await healthy())) {
        if (gone) {
          child = undefined;
          failed = new Error(`the server exited before it was up:\n${tail}`);
          throw failed;
        }
        if (Date.now() > until) {
          failed = new Error(`the server did not answer /healthz in ${limit / 1000} s:\n${tail}`);
          throw failed;
        }
        await sleep(20);
      }
      up = true;
    },
    async kill() {
      const c = child;
      if (!c) return;
      // Marked down before the signal, so a client that fails because of it sees the server down.
      up = false;
      c.kill('SIGKILL');
      await exited;
      child = undefined;
      kills++;
    },
    async terminate() {
      const c = child;
      if (!c) throw new Error('the server is not running');
      up = false;
      c.kill('SIGTERM');
      await exited;
      child = undefined;
      return exit;
    },
    async whenUp(timeoutMs = 30_000) {
      const until = Date.now() + scaled(timeoutMs);
      while (!up) {
        if (failed) throw failed;
        if (Date.now() > until) throw new Error('the server did not come back');
        await sleep(10);
      }
    },
    output: () => tail,
    async stop() {
      stopped = true;
      up = false;
      failed ??= new Error('the server was stopped');
      if (child) {
        child.kill('SIGKILL');
        await exited;
        child = undefined;
      }
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * For a whole test file: a fresh database and a started child server on it, both gone at
 * the file's end, even after a failure (no server process may outlive the file). Read them
 * inside the tests.
 */
export function childServerPerFile(secret: string): { server(): ChildServer; db(): Db } {
  let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let server: ChildServer | undefined;
  beforeAll(async () => {
    fresh = await freshDatabase();
    server = await childServer({ databaseUrl: fresh.url, secret });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await fresh?.drop();
  });
  return { server: () => server!, db: () => fresh!.db };
}

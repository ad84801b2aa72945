import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/platform/config';
import type { Principal } from '../../src/data/organisations';
import { createDb, type Db } from '../../src/db/database';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded';
import { createLogger } from '../../src/platform/logger';
import { type Running, startServer } from '../../src/processes/server';
import { completeSetup, createSetupLink } from '../../src/services/auth';

/**
 * The server every benchmark measures: DATABASE_URL if set, else a temporary embedded
 * PostgreSQL; no mail worker; request logs written to nowhere (their cost kept, their
 * output not). `stop` tears everything down.
 */
export type BenchServer = {
  running: Running;
  config: Config;
  db: Db;
  embedded: EmbeddedServer | undefined;
  databaseUrl: string;
  describe: string;
  stop(): Promise<void>;
};

export async function startBenchServer(
  name: string,
  opts: { onQuery?: (ms: number, sql: string) => void } = {},
): Promise<BenchServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `omov-bench-${name}-`));
  const embedded = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  const config = loadConfig({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dir,
    MAIL_WORKER: 'off',
    LOG_LEVEL: 'info',
    OMOV_SECRET: crypto.randomBytes(32).toString('base64url'),
    DB_POOL_SIZE: process.env.DB_POOL_SIZE,
    BALLOT_CHECKERS: process.env.BALLOT_CHECKERS,
  });
  const databaseUrl = process.env.DATABASE_URL ?? embedded!.url;
  const db = createDb(databaseUrl, { max: config.dbPoolSize, ...(opts.onQuery ? { onQuery: opts.onQuery } : {}) });
  const running = await startServer(config, { db, log: createLogger('info', { write: () => undefined }) });
  return {
    running,
    config,
    db,
    embedded,
    databaseUrl,
    describe: embedded ? 'embedded PostgreSQL (temporary)' : 'DATABASE_URL',
    async stop() {
      await running.stop();
      await db.destroy();
      await embedded?.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `omov serve` itself, in processes of its own beside the benchmark (as in production:
 * NODE_ENV=production, request logs at "info" written to /dev/null), on the benchmark's
 * database and secret, so that the benchmark's own work does not share the server's event
 * loop. `processes` is WEB_PROCESSES. Resolves once /healthz answers.
 */
export async function startServeProcesses(
  server: BenchServer,
  processes: string,
  /** More environment for the server, e.g. NODE_OPTIONS for a preloaded probe. */
  env: Record<string, string> = {},
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../src/cli/main.js'), 'serve'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: 'https://vote.example.org',
      DATABASE_URL: server.databaseUrl,
      OMOV_SECRET: server.config.secret!,
      MAIL_WORKER: 'off',
      LOG_LEVEL: 'info',
      DATA_DIR: server.config.dataDir,
      WEB_PROCESSES: processes,
      ...(process.env.DB_POOL_SIZE ? { DB_POOL_SIZE: process.env.DB_POOL_SIZE } : {}),
      ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (const deadline = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`omov serve stopped: ${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, pid: child.pid!, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`omov serve did not answer within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh organisation (through a setup link, as a person would make one) and its organiser. */
export async function benchOrganisation(server: BenchServer): Promise<Principal> {
  const ctx = server.running.ctx;
  const link = await createSetupLink(ctx);
  const email = `bench-${crypto.randomBytes(4).toString('hex')}@example.org`;
  const org = await completeSetup(ctx, new URL(link).pathname.split('/').pop()!, {
    organisationName: 'Bench Union',
    name: 'Bench',
    email,
    password: crypto.randomBytes(12).toString('base64url'),
  });
  return {
    organiserId: org.organiserId,
    organisationId: org.organisationId,
    email,
    name: 'Bench',
    role: 'organiser',
    ballotId: null,
  };
}

/** The entry point of a benchmark script: its exit code, or a stack trace and 1. */
export function runBench(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const cause = err instanceof Error && err.cause !== undefined ? `\ncaused by: ${String(err.cause)}` : '';
      process.stderr.write(
        `bench:${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}\n`,
      );
      process.exitCode = 1;
    },
  );
}

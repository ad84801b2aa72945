import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import path from 'node:path';
import { type Config, ConfigError, defaultPublicUrl } from '../platform/config';
import { connectionLimit } from '../data/server-settings';
import { createLogger } from '../platform/logger';
import { listenUrl, openService, resolveSecret, type Running, startServer } from './server';
import { firstStartSetupLink } from '../services/auth';

/**
 * Serving from several processes (WEB_PROCESSES above 1). Node runs a process's JavaScript
 * on one core, so a machine with more cores serves more voters at once from more
 * processes. The primary connects (starting the embedded PostgreSQL if need be), migrates
 * and makes the first-start setup link, then forks the web processes. Each is a whole
 * instance (pages, API, mail sender, scheduler) on the same database, as instances on
 * several machines would be: the service keeps no state in an instance (README, "Running
 * several instances"). On Linux each listens on a socket of its own with SO_REUSEPORT and
 * the kernel spreads new connections among them, with no hop through the primary;
 * elsewhere they share the primary's socket (Node's round robin). The primary restarts a
 * process that dies, and on SIGTERM or SIGINT stops them all, then the database it started.
 */

type Message = { omov: 'listening' };
const isListening = (m: unknown): m is Message =>
  typeof m === 'object' && m !== null && (m as Message).omov === 'listening';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** A process that dies sooner than this after starting is restarted after a growing pause. */
const STEADY_MS = 10_000;

export type PrimaryStarted = {
  url: string;
  publicUrl: string;
  processes: number;
  setupLink: string | undefined;
  embedded: boolean;
  mail: string;
};

/** A port free now on this host, for PORT=0: every process must listen on the same one. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ port: 0, host }, () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * How many web processes to run: each keeps a pool of `pool` connections (and the primary
 * one), and together they must stay within what PostgreSQL allows. An explicit number
 * that does not fit is refused, rather than failing requests later; `auto` runs as many
 * as fit, up to one per CPU.
 */
export function processesThatFit(
  requested: number,
  auto: boolean,
  pool: number,
  allowed: number,
): { processes: number } | { refused: string } {
  const fits = Math.floor((allowed - 1) / pool);
  if (requested <= fits) return { processes: requested };
  if (auto && fits >= 1) return { processes: fits };
  return {
    refused: `WEB_PROCESSES × DB_POOL_SIZE: ${requested} × ${pool} connections (and 1 for the primary) is more than the ${allowed} PostgreSQL allows: lower one of them, or raise max_connections`,
  };
}

/**
 * The primary: prepares the database, starts `config.webProcesses` web processes, and
 * supervises them until SIGTERM/SIGINT. Resolves once all listen.
 */
export async function startPrimary(given: Config): Promise<PrimaryStarted> {
  const log = createLogger(given.logLevel);
  const port = given.port === 0 ? await freePort(given.host) : given.port;
  const config = {
    ...given,
    port,
    publicUrl: given.publicUrl === defaultPublicUrl(given.port) ? defaultPublicUrl(port) : given.publicUrl,
  };
  const service = await openService(config, { log });
  let stopping = false;
  try {
    const fit = processesThatFit(
      config.webProcesses,
      config.webProcessesAuto,
      config.dbPoolSize,
      await connectionLimit(service.db),
    );
    if ('refused' in fit) throw new ConfigError([fit.refused]);
    if (fit.processes < config.webProcesses) {
      log.warn(
        { cpus: config.webProcesses, webProcesses: fit.processes },
        'WEB_PROCESSES=auto: fewer web processes than CPUs, to stay within max_connections',
      );
    }
    const processes = fit.processes;
    // What the web processes need to be the same instance: one database, one secret, one port.
    const env: Record<string, string> = {
      DATABASE_URL: config.databaseUrl ?? service.embedded!.url,
      OMOV_SECRET: await resolveSecret(config),
      PORT: String(port),
    };
    cluster.setupPrimary({ exec: path.join(__dirname, '..', 'cli', 'main.js'), args: ['serve'] });

    const startedAt = new Map<Worker, number>();
    let quickDeaths = 0;
    const fork = (): Worker => {
      const w = cluster.fork(env);
      startedAt.set(w, Date.now());
      return w;
    };
    const listening = (w: Worker) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`a web process did not start within ${START_TIMEOUT_MS / 1000} s`)),
          START_TIMEOUT_MS,
        );
        w.on('message', (m: unknown) => {
          if (isListening(m)) {
            clearTimeout(timer);
            resolve();
          }
        });
        w.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`a web process stopped while starting (${signal ?? `exit code ${code}`})`));
        });
      });

    const first = Array.from({ length: processes }, fork);
    await Promise.all(first.map(listening));

    cluster.on('exit', (w, code, signal) => {
      const lived = Date.now() - (startedAt.get(w) ?? 0);
      startedAt.delete(w);
      if (stopping) return;
      quickDeaths = lived < STEADY_MS ? quickDeaths + 1 : 0;
      const pause = quickDeaths === 0 ? 0 : Math.min(10_000, 500 * 2 ** (quickDeaths - 1));
      log.error(
        { webProcess: w.process.pid, code, signal, restartInMs: pause },
        'a web process stopped; starting another',
      );
      setTimeout(() => {
        if (stopping) return;
        const next = fork();
        listening(next).catch((err: unknown) =>
          log.error({ err: (err as Error).message }, 'a restarted web process failed'),
        );
      }, pause);
    });

    const stop = async () => {
      if (stopping) return;
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              const kill = setTimeout(() => w.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
              w.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              w.process.kill('SIGTERM');
            }),
        ),
      );
      await service.close();
    };
    const onSignal = () => {
      void stop().finally(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);

    return {
      url: listenUrl(config.host, port),
      publicUrl: config.publicUrl,
      processes,
      setupLink: await firstStartSetupLink(service.ctx),
      embedded: service.embedded !== undefined,
      mail: service.mailer.describe,
    };
  } catch (err) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    await service.close();
    throw err;
  }
}

/**
 * A web process under the primary: a whole instance listening beside its siblings. It
 * stops on SIGTERM from the primary, or when the primary is gone; SIGINT (Ctrl-C reaches
 * the whole process group) is the primary's to act on.
 */
export async function startWebProcess(config: Config): Promise<Running> {
  const running = await startServer(config, { reusePort: true });
  const stop = () => {
    void running.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.on('SIGINT', () => undefined);
  process.send?.({ omov: 'listening' } satisfies Message);
  return running;
}

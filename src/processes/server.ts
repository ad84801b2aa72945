import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http, { type Server } from 'node:http';
import path from 'node:path';
import { type Config, ConfigError } from '../platform/config';
import { createDb, type Db, migrateToLatest } from '../db/database';
import type * as EmbeddedModule from '../db/embedded';
import type { EmbeddedServer } from '../db/embedded';
import { createApp } from '../http/app';
import { answerClientError } from '../http/client-errors';
import { createLogger, type Logger } from '../platform/logger';
import { MailWorker, type MailWorkerOptions } from './mail-worker';
import { folderMailer, type Mailer, smtpMailer } from '../mail/transport';
import { Keyring } from '../platform/secrets';
import { BallotCheckers } from '../services/ballot-checkers';
import { closeDueBallots, queueDueReminders } from '../services/ballots';
import { mailDueNominations } from '../services/nominations';
import { markDueProposals } from '../services/proposals';
import { CastWitness, CheckpointMemory, chainOpenBallots } from '../services/chain';
import { recordTurnoutSnapshot } from '../services/results';
import type { AppContext } from '../services/context';
import { checkDatabasePrivacy } from '../services/safety';

export type Running = {
  ctx: AppContext;
  url: string;
  server: Server;
  mailer: Mailer;
  worker: MailWorker | undefined;
  embedded: EmbeddedServer | undefined;
  stop(): Promise<void>;
};

/**
 * Where development keeps its generated secret: DATA_DIR/keys/secret, the folder 0700 and
 * the file 0600, both the service user's. The embedded PostgreSQL runs as another user
 * (`postgres`) when we are root, and its superuser can read any file that user can
 * (`pg_read_file`, `COPY … FROM`): this folder it cannot enter. Run as an ordinary user,
 * the embedded server is that same user and nothing on the machine keeps the file from it
 * (docs/security.md says so); production gives OMOV_SECRET instead.
 */
export const secretFileOf = (dataDir: string) => path.join(dataDir, 'keys', 'secret');

/** The server secret: given in production; in development kept under DATA_DIR so links survive restarts. */
export async function resolveSecret(config: Config): Promise<string> {
  if (config.secret) return config.secret;
  const dir = path.join(config.dataDir, 'keys');
  const file = secretFileOf(config.dataDir);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  // Earlier versions kept it in DATA_DIR itself, which the postgres user may enter.
  const legacy = path.join(config.dataDir, 'secret');
  if (!(await fs.stat(file).catch(() => undefined))) await fs.rename(legacy, file).catch(() => undefined);
  try {
    const s = (await fs.readFile(file, 'utf8')).trim();
    await fs.chmod(file, 0o600);
    return s;
  } catch {
    const s = crypto.randomBytes(32).toString('base64url');
    await fs.writeFile(file, `${s}\n`, { mode: 0o600 });
    return s;
  }
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under DATA_DIR/pg. */
export async function connectDatabase(config: Config, log: Logger): Promise<{ db: Db; embedded?: EmbeddedServer }> {
  if (config.databaseUrl)
    return {
      db: createDb(config.databaseUrl, { max: config.dbPoolSize, connectTimeoutMs: config.dbConnectTimeoutMs }),
    };
  log.info({ dataDir: path.resolve(config.dataDir, 'pg') }, 'no DATABASE_URL: starting the embedded PostgreSQL');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when needed: the embedded server is an ES module and a large one
  const { startEmbeddedPostgres } = require('../db/embedded') as typeof EmbeddedModule;
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'pg'),
    port: 54329,
    log: (line) => log.debug({ postgres: line.trim() }, 'postgres'),
  }).catch(async (err: unknown) => {
    // Another process may hold the default port; any free port will do.
    if (String(err).includes('already running')) throw err;
    return startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'pg'),
      log: (line) => log.debug({ postgres: line.trim() }, 'postgres'),
    });
  });
  return {
    db: createDb(embedded.url, { max: config.dbPoolSize, connectTimeoutMs: config.dbConnectTimeoutMs }),
    embedded,
  };
}

/** The service without its HTTP side: for one-off commands and the primary of several processes. */
export type Service = {
  ctx: AppContext;
  db: Db;
  embedded: EmbeddedServer | undefined;
  mailer: Mailer;
  close(): Promise<void>;
};

/**
 * Connects (starting the embedded PostgreSQL if no DATABASE_URL is given), migrates,
 * checks the database's privacy settings (refused in production) and loads the keys.
 */
export async function openService(
  config: Config,
  opts: { log?: Logger; mailer?: Mailer; db?: Db } = {},
): Promise<Service> {
  const log = opts.log ?? createLogger(config.logLevel);
  const { db, embedded } = opts.db ? { db: opts.db, embedded: undefined } : await connectDatabase(config, log);
  const closeDatabase = async () => {
    if (!opts.db) await db.destroy();
    await embedded?.stop();
  };
  try {
    await migrateToLatest(db);
    const privacy = await checkDatabasePrivacy(db);
    if (privacy.length) {
      if (config.env === 'production') throw new ConfigError(privacy.map((p) => `PostgreSQL: ${p}`));
      for (const p of privacy) log.warn(`unsafe PostgreSQL setting (refused in production): ${p}`);
    }
    const keys = new Keyring(await resolveSecret(config));
    const mailer =
      opts.mailer ??
      (config.smtpUrl
        ? smtpMailer(config.smtpUrl, config.mailFrom, config.smtp)
        : folderMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom));
    const checkpoints = new CheckpointMemory(path.join(config.dataDir, 'keys', 'chain'));
    const ctx: AppContext = {
      db,
      config,
      keys,
      log,
      checkpoints,
      witness: new CastWitness(),
      ballotCheckers: new BallotCheckers(config.ballotCheckers, log),
      mailQueued: () => undefined,
    };
    return {
      ctx,
      db,
      embedded,
      mailer,
      async close() {
        mailer.close();
        await ctx.ballotCheckers.close();
        await closeDatabase();
      },
    };
  } catch (err) {
    await closeDatabase();
    throw err;
  }
}

export async function startServer(
  config: Config,
  opts: {
    log?: Logger;
    mailer?: Mailer;
    worker?: MailWorkerOptions;
    db?: Db;
    schedulerMs?: number;
    /** Listen with SO_REUSEPORT beside this server's other processes (see src/processes.ts). */
    reusePort?: boolean;
  } = {},
): Promise<Running> {
  const service = await openService(config, opts);
  const { ctx, embedded, mailer } = service;
  const log = ctx.log;
  let worker: MailWorker | undefined;
  ctx.mailQueued = () => worker?.kick();
  if (config.mailWorker) {
    worker = new MailWorker(ctx, mailer, opts.worker);
    worker.start();
  }
  let mailing: Promise<void> | undefined;
  let marking: Promise<void> | undefined;
  // Every instance closes due ballots; the row lock makes it happen once.
  const scheduler = setInterval(() => {
    closeDueBallots(ctx).then(
      (ids) => ids.forEach((id) => log.info({ ballotId: id }, 'ballot closed at its closing time')),
      (err: unknown) => log.warn({ err: (err as Error).message }, 'closing due ballots failed'),
    );
    recordTurnoutSnapshot(ctx).catch((err: unknown) =>
      log.warn({ err: (err as Error).message }, 'turnout snapshot failed'),
    );
    queueDueReminders(ctx).then(
      (n) => {
        if (n) log.info({ reminders: n }, 'automatic reminders queued');
      },
      (err: unknown) => log.warn({ err: (err as Error).message }, 'queueing reminders failed'),
    );
    // Proposals lapse and turn overdue as events; the row lock makes each happen once across instances.
    marking ??= markDueProposals(ctx)
      .then(
        ({ lapsed, overdue }) => {
          if (lapsed || overdue) log.info({ lapsed, overdue }, 'proposals lapsed or turned overdue');
        },
        (err: unknown) => log.warn({ err: (err as Error).message }, 'marking due proposals failed'),
      )
      .finally(() => (marking = undefined));
    // One round at a time, and stop() waits for it: a round mails a whole roll.
    mailing ??= mailDueNominations(ctx)
      .then(
        (n) => {
          if (n) log.info({ elections: n }, 'members mailed that nominations are open');
        },
        (err: unknown) => log.warn({ err: (err as Error).message }, 'mailing that nominations are open failed'),
      )
      .finally(() => (mailing = undefined));
  }, opts.schedulerMs ?? 5000);
  scheduler.unref();
  // The box's chainer: off the cast path, one round at a time (a slow round is not overlapped).
  let chaining: Promise<void> | undefined;
  const chainer = setInterval(() => {
    chaining ??= chainOpenBallots(ctx)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'chaining the ballot boxes failed'))
      .finally(() => (chaining = undefined));
  }, config.chainMs);
  chainer.unref();
  const app = createApp(ctx);
  let server: Server;
  try {
    server = await listen(app, config, opts.reusePort ?? false);
  } catch (err) {
    clearInterval(scheduler);
    clearInterval(chainer);
    await chaining;
    await mailing;
    await marking;
    await worker?.stop();
    await service.close();
    throw err;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = listenUrl(config.host, port);
  return {
    ctx,
    url,
    server,
    mailer,
    worker,
    embedded,
    async stop() {
      clearInterval(scheduler);
      clearInterval(chainer);
      await chaining;
      await mailing;
      await marking;
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await worker?.stop();
      await service.close();
    },
  };
}

/** The address a server listening on host:port answers at (IPv6 hosts in brackets). */
export const listenUrl = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

function listen(app: ReturnType<typeof createApp>, config: Config, reusePort: boolean): Promise<Server> {
  const attempt = (reuse: boolean) =>
    new Promise<Server>((resolve, reject) => {
      const s = http.createServer(app);
      s.on('clientError', answerClientError);
      // An idle keep-alive connection is closed by the client first (it reads "timeout=65" and
      // leaves a margin), not under it: with Node's 5 s, a client whose loop was busy for a
      // second could send on a socket the server had just closed, and get ECONNRESET.
      s.keepAliveTimeout = 65_000;
      s.once('error', reject);
      // exclusive: in a cluster worker, a socket of its own (which reusePort shares), not the primary's.
      s.listen({ port: config.port, host: config.host, ...(reuse ? { reusePort: true, exclusive: true } : {}) }, () => {
        s.off('error', reject);
        resolve(s);
      });
    });
  return attempt(reusePort).catch((err: unknown) => {
    // SO_REUSEPORT is Linux's (and a few others'); elsewhere the processes share the primary's socket.
    if (reusePort && (err as NodeJS.ErrnoException).code === 'ENOTSUP') return attempt(false);
    throw err;
  });
}

import os from 'node:os';
import { z } from 'zod';

/**
 * All configuration comes from environment variables, checked once at start. Every
 * bad variable is reported in one error, so a misconfigured server is fixed in one go.
 * `.env.example` documents each of them.
 */
const WEB_PROCESSES_ERROR = 'must be a whole number from 1 to 64, or auto';
const BALLOT_CHECKERS_ERROR = 'must be a whole number from 0 to 64, or auto';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('omov <ballots@localhost>'),
  SMTP_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(4),
  SMTP_MESSAGES_PER_CONNECTION: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  SMTP_RATE_PER_SECOND: z.coerce.number().int().min(0).max(100_000).default(0),
  OMOV_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAIL_WORKER: z.enum(['on', 'off']).default('on'),
  SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** How long a branch secretary's mailed link works (src/services/positions.ts): it is a bearer credential. */
  SECRETARY_LINK_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** How often the box's chainer runs (src/services/chain.ts): a vote is exposed to unseen removal until then. */
  CHAIN_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1000),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** How long a request waits for a database connection (a new one, or a free one of the pool) before a 503. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  ROLL_MAX_MB: z.coerce.number().int().min(1).max(1024).default(64),
  MAIL_EVENTS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SOURCE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }).optional(),
  WEB_PROCESSES: z
    .union([z.literal('auto'), z.coerce.number().int().min(1, WEB_PROCESSES_ERROR).max(64, WEB_PROCESSES_ERROR)], {
      error: WEB_PROCESSES_ERROR,
    })
    .default(1),
  BALLOT_CHECKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(0, BALLOT_CHECKERS_ERROR).max(64, BALLOT_CHECKERS_ERROR)], {
      error: BALLOT_CHECKERS_ERROR,
    })
    .default('auto'),
});

export type Env = z.infer<typeof schema>;

export type Config = {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** What the mail provider allows: connections at once, messages per connection, messages per second (0: no limit). */
  smtp: { connections: number; messagesPerConnection: number; ratePerSecond: number };
  /** Given, or undefined in development (then one is kept in DATA_DIR). */
  secret: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  mailWorker: boolean;
  sessionHours: number;
  /** SECRETARY_LINK_DAYS: how long a branch secretary's link works after they are named. */
  secretaryLinkDays: number;
  dbPoolSize: number;
  dbConnectTimeoutMs: number;
  /** CHAIN_INTERVAL_MS: the box chainer's period. */
  chainMs: number;
  /** The largest roll file accepted, in bytes (a 500,000-member CSV is about 33 MB). */
  rollMaxBytes: number;
  /** Bearer secret of the mail provider's bounce webhook; unset: the webhook is off. */
  mailEventsSecret: string | undefined;
  /** Where the source code this server runs is published: /verify sends auditors there for the verifier. */
  sourceUrl: string | undefined;
  /** How many processes serve HTTP (`auto`: one per CPU); more than one: see src/processes.ts. */
  webProcesses: number;
  /** WEB_PROCESSES was `auto`: fewer processes may run if the database allows too few connections. */
  webProcessesAuto: boolean;
  /**
   * BALLOT_CHECKERS: the worker threads that check a verifiable ballot's signature and proofs,
   * and trustees' proofs of shuffle (src/services/ballot-checkers.ts); `auto` shares the CPUs among the web processes (at
   * least one each), 0 checks on the event loop.
   */
  ballotCheckers: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Without PUBLIC_URL, links point at this machine. */
export const defaultPublicUrl = (port: number) => `http://localhost:${port}`;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty variables count as unset, as in most .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production') {
    if (!e.OMOV_SECRET) problems.push('OMOV_SECRET: required in production');
    if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
    else if (!e.PUBLIC_URL.startsWith('https://')) problems.push('PUBLIC_URL: must be https:// in production');
  }
  if (problems.length) throw new ConfigError(problems);
  const webProcesses = e.WEB_PROCESSES === 'auto' ? os.availableParallelism() : e.WEB_PROCESSES;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? defaultPublicUrl(e.PORT)).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    smtp: {
      connections: e.SMTP_CONNECTIONS,
      messagesPerConnection: e.SMTP_MESSAGES_PER_CONNECTION,
      ratePerSecond: e.SMTP_RATE_PER_SECOND,
    },
    secret: e.OMOV_SECRET,
    logLevel: e.LOG_LEVEL,
    mailWorker: e.MAIL_WORKER === 'on',
    sessionHours: e.SESSION_HOURS,
    secretaryLinkDays: e.SECRETARY_LINK_DAYS,
    dbPoolSize: e.DB_POOL_SIZE,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    chainMs: e.CHAIN_INTERVAL_MS,
    rollMaxBytes: e.ROLL_MAX_MB * 1024 * 1024,
    mailEventsSecret: e.MAIL_EVENTS_SECRET,
    sourceUrl: e.SOURCE_URL,
    webProcesses,
    webProcessesAuto: e.WEB_PROCESSES === 'auto',
    // auto: the CPUs shared among the web processes, so that all of them checking at once fill the machine.
    ballotCheckers:
      e.BALLOT_CHECKERS === 'auto'
        ? Math.max(1, Math.floor(os.availableParallelism() / webProcesses))
        : e.BALLOT_CHECKERS,
  };
}

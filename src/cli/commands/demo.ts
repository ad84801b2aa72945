import crypto from 'node:crypto';
import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig } from '../../platform/config';
import { formatResults } from '../../demo/report';
import { demoProblems, runDemo } from '../../demo/run';
import { createLogger } from '../../platform/logger';
import { startServer } from '../../processes/server';
import { InputError } from '../errors';

type DemoFlags = {
  members: string;
  branches: string;
  turnout: string;
  seed?: string;
  concurrency: string;
  serve: boolean;
};

function wholeNumber(text: string, what: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new InputError(`--${what} must be a whole number of at least ${min}, not "${text}"`);
  return n;
}

function share(text: string): number {
  const f = Number(text);
  if (text.trim() === '' || !Number.isFinite(f) || f < 0 || f > 1)
    throw new InputError(`--turnout must be a share between 0 and 1 (e.g. 0.7), not "${text}"`);
  return f;
}

/** Where the demo keeps its database, secret and outbox, and the port it serves on, unless DATA_DIR or PORT say otherwise. */
export const DEMO_DATA_DIR = './.data/demo';
export const DEMO_PORT = 3100;

/**
 * The demo's configuration: the service's, but with its own data folder and port unless
 * told otherwise, so that it runs beside `npm start` (which uses ./.data and port 3000)
 * instead of fighting it for the same database.
 */
export function demoEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, DATA_DIR: env.DATA_DIR || DEMO_DATA_DIR, PORT: env.PORT || String(DEMO_PORT) };
}

/** The first line of an error, for a one-line message (a stack trace helps nobody here). */
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

function configFromEnvironment(): Config {
  let config: Config;
  try {
    config = loadConfig(demoEnvironment(process.env));
  } catch (e) {
    if (e instanceof ConfigError) throw new InputError(e.message);
    throw e;
  }
  if (config.env === 'production')
    throw new InputError(
      'the demo makes up an organisation, members and votes: it does not run with NODE_ENV=production',
    );
  // Checked again on the running server; here, before a database is started for nothing.
  const problems = demoProblems(config, config.mailWorker);
  if (problems.length) throw new InputError(problems.join('\n'));
  return config;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Run a demonstration ballot end to end on the local server: a made-up organisation and roll, ' +
        'invitations in the outbox folder, votes cast through the voting pages, the count. ' +
        `Uses the same configuration as "serve", except that its data folder is ${DEMO_DATA_DIR} and its port ${DEMO_PORT} ` +
        'unless DATA_DIR or PORT are set, so it runs beside "serve" (SMTP_URL must be unset: the links are read from DATA_DIR/outbox).',
    )
    .option('--members <n>', 'members on the roll', '2000')
    .option('--branches <n>', 'branches, of Zipf-like sizes (a few big, many small)', '30')
    .option('--turnout <share>', 'share of members who vote, 0 to 1 (varies by branch)', '0.7')
    .option('--seed <text>', 'seed for the roll, who votes and how (default: random, printed)')
    .option('--concurrency <n>', 'members voting at the same time', '16')
    .option('--no-serve', 'exit after printing the result instead of keeping the server up')
    .action(async (flags: DemoFlags) => {
      const members = wholeNumber(flags.members, 'members', 1);
      const branches = wholeNumber(flags.branches, 'branches', 1);
      if (members < branches)
        throw new InputError(
          `--members (${members}) must be at least --branches (${branches}): every branch needs a member`,
        );
      const turnout = share(flags.turnout);
      const concurrency = wholeNumber(flags.concurrency, 'concurrency', 1);
      const seed = flags.seed ?? crypto.randomBytes(6).toString('hex');
      const config = configFromEnvironment();
      const out = (s: string) => process.stdout.write(`${s}\n`);

      // Thousands of requests: the request log stays quiet unless LOG_LEVEL asks for it.
      const log = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
      let running;
      try {
        running = await startServer(config, { log });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new InputError(`port ${config.port} is in use (is another demo running?): stop it or set PORT`);
        throw new InputError(
          `the demo's server could not start (${config.databaseUrl ? 'DATABASE_URL' : `data folder ${config.dataDir}`}): ${firstLine(err)}. Set DATA_DIR to another folder, or stop what uses this one.`,
        );
      }
      const stop = () => {
        void running.stop().finally(() => process.exit(0));
      };
      try {
        out(
          `omov demo: ${members} members, ${branches} branches, turnout about ${turnout}, seed ${seed}${flags.seed ? '' : ` (repeat with --seed ${seed})`}`,
        );
        out(
          `  server:   ${config.publicUrl} (listening on ${running.url}), database: ${running.embedded ? `embedded PostgreSQL in ${config.dataDir}/pg` : 'DATABASE_URL'}`,
        );
        const outcome = await runDemo(running, {
          members,
          branches,
          turnout,
          seed,
          concurrency,
          progress: (s) => out(s),
        });
        out('');
        out(formatResults(outcome.results));
        out('');
        out(
          outcome.differences.length
            ? `WARNING: the count differs from the votes the demo cast:\n  ${outcome.differences.join('\n  ')}`
            : `Check: the count equals the ${outcome.cast.voted} votes the demo cast, branch by branch and option by option.`,
        );
        out('');
        out(`Browse it: ${config.publicUrl}/ballots/${outcome.ballot.id}`);
        out(
          `  the results, with the STV rounds and their transfer chart and the Schulze pairwise matrix: ${config.publicUrl}/ballots/${outcome.ballot.id}/results`,
        );
        out(
          `  sign in at ${config.publicUrl}/signin as ${outcome.organisation.organiserEmail}, password ${outcome.organisation.password}`,
        );
        if (config.env === 'development') out(`  the invitations: ${config.publicUrl}/dev/outbox`);
        if (outcome.differences.length) process.exitCode = 1;
      } catch (err) {
        await running.stop();
        throw err;
      }
      if (!flags.serve) return void (await running.stop());
      out('\nThe server stays up; Ctrl-C stops it.');
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => undefined);
    });
}

import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config';
import { createSetupLink, firstStartSetupLink } from '../../services/auth';
import { startServer } from '../../server';
import { InputError } from '../errors';

export function register(program: Command): void {
  program.command('serve')
    .description('Run the web service (configuration from environment variables; see .env.example)')
    .action(async () => {
      let config;
      try { config = loadConfig(); } catch (e) { if (e instanceof ConfigError) throw new InputError(e.message); throw e; }
      const running = await startServer(config);
      const out = (s: string) => process.stdout.write(`${s}\n`);
      out('');
      out(`omov is running at ${config.publicUrl}  (listening on ${running.url})`);
      out(`  database: ${running.embedded ? `embedded PostgreSQL in ${config.dataDir}/pg` : 'DATABASE_URL'}`);
      out(`  email:    ${running.mailer.describe}${!config.smtpUrl && config.env === 'development' ? ` — browse it at ${config.publicUrl}/dev/outbox` : ''}`);
      out(`  API docs: ${config.publicUrl}/api/docs`);
      const link = await firstStartSetupLink(running.ctx);
      if (link) out(`\nNo organiser yet. Open this one-time link to create your organisation:\n  ${link}\n`);
      else out(`\nSign in at ${config.publicUrl}/signin`);
      const stop = () => { void running.stop().finally(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => undefined);
    });

  program.command('setup-link')
    .description('Print a one-time link that creates a new organisation and its first organiser')
    .action(async () => {
      const config = loadConfig({ ...process.env, MAIL_WORKER: 'off' });
      const running = await startServerless(config);
      try { process.stdout.write(`${await createSetupLink(running.ctx)}\n`); } finally { await running.stop(); }
    });
}

/** The services without the HTTP server, for one-off commands. */
async function startServerless(config: ReturnType<typeof loadConfig>) {
  return startServer({ ...config, port: 0, mailWorker: false });
}

import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../platform/config';
import { createSetupLink, firstStartSetupLink } from '../../services/auth';
import cluster from 'node:cluster';
import { startPrimary, startWebProcess } from '../../processes/primary';
import { openService, startServer } from '../../processes/server';
import { InputError } from '../errors';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the web service (configuration from environment variables; see .env.example)')
    .action(async () => {
      let config;
      try {
        config = loadConfig();
      } catch (e) {
        if (e instanceof ConfigError) throw new InputError(e.message);
        throw e;
      }
      // A web process forked by the primary (WEB_PROCESSES above 1): it serves, and says nothing.
      if (cluster.isWorker) {
        await startWebProcess(config);
        return new Promise<never>(() => undefined);
      }
      const out = (s: string) => process.stdout.write(`${s}\n`);
      let shown: { listening: string; embedded: boolean; mail: string; setupLink: string | undefined };
      // A configuration the database refuses (privacy settings, too many connections) is the operator's to fix: exit 2, no stack.
      const refusedConfig = (e: unknown) => {
        throw e instanceof ConfigError ? new InputError(e.message) : e;
      };
      if (config.webProcesses > 1) {
        const primary = await startPrimary(config).catch(refusedConfig);
        config = { ...config, publicUrl: primary.publicUrl };
        shown = { listening: `${primary.url}, ${primary.processes} processes`, ...primary };
      } else {
        const running = await startServer(config).catch(refusedConfig);
        shown = {
          listening: running.url,
          embedded: running.embedded !== undefined,
          mail: running.mailer.describe,
          setupLink: await firstStartSetupLink(running.ctx),
        };
        const stop = () => {
          void running.stop().finally(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      out('');
      out(`omov is running at ${config.publicUrl}  (listening on ${shown.listening})`);
      out(`  database: ${shown.embedded ? `embedded PostgreSQL in ${config.dataDir}/pg` : 'DATABASE_URL'}`);
      out(
        `  email:    ${shown.mail}${!config.smtpUrl && config.env === 'development' ? ` — browse it at ${config.publicUrl}/dev/outbox` : ''}`,
      );
      out(`  API docs: ${config.publicUrl}/api/docs`);
      if (shown.setupLink)
        out(`\nNo organiser yet. Open this one-time link to create your organisation:\n  ${shown.setupLink}\n`);
      else out(`\nSign in at ${config.publicUrl}/signin`);
      await new Promise(() => undefined);
    });

  program
    .command('setup-link')
    .description('Print a one-time link that creates a new organisation and its first organiser')
    .action(async () => {
      const service = await openService(loadConfig());
      try {
        process.stdout.write(`${await createSetupLink(service.ctx)}\n`);
      } finally {
        await service.close();
      }
    });
}

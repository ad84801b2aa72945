import type { Command } from 'commander';
import { loadConfig } from '../../platform/config';
import { migrateToLatest } from '../../db/database';
import { createLogger } from '../../platform/logger';
import { connectDatabase } from '../../processes/server';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('Apply the database migrations (also done on every start)')
    .action(async () => {
      const config = loadConfig();
      const { db, embedded } = await connectDatabase(config, createLogger('warn'));
      try {
        const applied = await migrateToLatest(db);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
      } finally {
        await db.destroy();
        await embedded?.stop();
      }
    });
}

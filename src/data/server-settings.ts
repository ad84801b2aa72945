import { sql } from 'kysely';
import type { Queryable } from '../db/database';

/** The PostgreSQL settings that bear on ballot secrecy. */
export async function readPrivacySettings(db: Queryable): Promise<Record<string, string>> {
  const r = await sql<{ name: string; setting: string }>`
    select name, setting from pg_settings
    where name in ('track_commit_timestamp', 'log_statement', 'log_min_duration_statement', 'log_duration', 'wal_level')
  `.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
}

/** How many connections ordinary roles may open (max_connections less those kept for superusers). */
export async function connectionLimit(db: Queryable): Promise<number> {
  const r = await sql<{ n: number }>`
    select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int as n
  `.execute(db);
  return r.rows[0]!.n;
}

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

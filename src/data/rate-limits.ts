import { sql } from 'kysely';
import type { Queryable } from '../db/database';

/**
 * Counts a hit against `key` in a fixed window of `windowSeconds`, atomically, shared by
 * every instance. Returns the hits so far in the current window and when it ends.
 */
export async function hit(
  db: Queryable,
  key: string,
  windowSeconds: number,
): Promise<{ hits: number; resetsInSeconds: number }> {
  const r = await sql<{ hits: number; resets: number }>`
    insert into rate_limits as r (key, window_start, hits) values (${key}, now(), 1)
    on conflict (key) do update set
      window_start = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else r.window_start end,
      hits = case when r.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else r.hits + 1 end
    returning hits, ceil(extract(epoch from (window_start + make_interval(secs => ${windowSeconds}) - now())))::int as resets
  `.execute(db);
  return { hits: r.rows[0]!.hits, resetsInSeconds: Math.max(1, r.rows[0]!.resets) };
}

export async function deleteExpired(db: Queryable, olderThanSeconds: number): Promise<void> {
  await sql`delete from rate_limits where window_start < now() - make_interval(secs => ${olderThanSeconds})`.execute(
    db,
  );
}

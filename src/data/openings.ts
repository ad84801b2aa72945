import { sql } from 'kysely';
import type { Queryable } from '../db/database';

/**
 * An open in flight and how far it has come (table ballot_openings). Written through the
 * pool, never the open's own transaction: other sessions would not see it before the end.
 */

export type Opening = { total: number; done: number; updatedAt: Date };

/** A row not written to for this long belongs to an open that is no more (a crash). */
const STALE_AFTER_SECONDS = 600;

export async function startOpening(db: Queryable, ballotId: string, total: number): Promise<void> {
  await sql`
    insert into ballot_openings (ballot_id, total, done) values (${ballotId}, ${total}, 0)
    on conflict (ballot_id) do update set total = excluded.total, done = 0, updated_at = now()
  `.execute(db);
}

export async function advanceOpening(db: Queryable, ballotId: string, done: number): Promise<void> {
  await db
    .updateTable('ballot_openings')
    .set({ done, updated_at: sql<Date>`now()` })
    .where('ballot_id', '=', ballotId)
    .execute();
}

export async function endOpening(db: Queryable, ballotId: string): Promise<void> {
  await db.deleteFrom('ballot_openings').where('ballot_id', '=', ballotId).execute();
}

/** The open in flight for this ballot, if there is one (a stale row is none). */
export async function findOpening(db: Queryable, ballotId: string): Promise<Opening | undefined> {
  const r = await db
    .selectFrom('ballot_openings')
    .select(['total', 'done', 'updated_at'])
    .where('ballot_id', '=', ballotId)
    .where('updated_at', '>', sql<Date>`now() - make_interval(secs => ${STALE_AFTER_SECONDS})`)
    .executeTakeFirst();
  return r && { total: r.total, done: r.done, updatedAt: r.updated_at };
}

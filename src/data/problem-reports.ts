import type { Queryable } from '../db/database';

/** Problems members reported about a ballot: the text and when, nothing about who. */

export async function insertReport(
  db: Queryable,
  r: { ballotId: string; text: string; textHash: string },
): Promise<{ id: string; receivedAt: Date }> {
  const row = await db
    .insertInto('problem_reports')
    .values({ ballot_id: r.ballotId, text: r.text, text_hash: r.textHash })
    .returning(['id', 'received_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, receivedAt: row.received_at };
}

export async function listReports(db: Queryable, ballotId: string) {
  const rows = await db
    .selectFrom('problem_reports')
    .select(['id', 'received_at', 'text', 'text_hash'])
    .where('ballot_id', '=', ballotId)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, receivedAt: r.received_at.toISOString(), text: r.text, textHash: r.text_hash }));
}

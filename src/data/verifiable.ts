import type { Queryable } from '../db/database';
import type { VerifiableEventType } from '../db/schema';

/** A verifiable ballot's Belenios events, hash-chained and append-only (migration 0015). */

export type EventRow = {
  height: number;
  type: VerifiableEventType;
  event: string;
  hash: string;
  data: string[];
  credential: string | null;
  tracker: string | null;
  trustee: number | null;
  at: Date;
};

const columns = ['height', 'type', 'event', 'hash', 'data', 'credential', 'tracker', 'trustee', 'at'] as const;

export type NewEvent = {
  height: number;
  type: VerifiableEventType;
  event: string;
  hash: string;
  data: string[];
  credential?: string;
  tracker?: string;
  trustee?: number;
};

export async function appendEvent(db: Queryable, ballotId: string, e: NewEvent): Promise<void> {
  await db
    .insertInto('verifiable_events')
    .values({
      ballot_id: ballotId,
      height: e.height,
      type: e.type,
      event: e.event,
      hash: e.hash,
      data: e.data,
      credential: e.credential ?? null,
      tracker: e.tracker ?? null,
      trustee: e.trustee ?? null,
    })
    .execute();
}

/** The chain's last event: the parent of the next. */
export async function lastEvent(
  db: Queryable,
  ballotId: string,
): Promise<Pick<EventRow, 'height' | 'hash' | 'type'> | undefined> {
  return db
    .selectFrom('verifiable_events')
    .select(['height', 'hash', 'type'])
    .where('ballot_id', '=', ballotId)
    .orderBy('height', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function listEvents(db: Queryable, ballotId: string, type?: VerifiableEventType): Promise<EventRow[]> {
  let q = db.selectFrom('verifiable_events').select(columns).where('ballot_id', '=', ballotId);
  if (type) q = q.where('type', '=', type);
  return q.orderBy('height').execute();
}

export async function findByTracker(db: Queryable, ballotId: string, tracker: string): Promise<EventRow | undefined> {
  return db
    .selectFrom('verifiable_events')
    .select(columns)
    .where('ballot_id', '=', ballotId)
    .where('tracker', '=', tracker)
    .executeTakeFirst();
}

/** Whether the credential has a ballot on the board already (a new one replaces it). */
export async function hasBallotOf(db: Queryable, ballotId: string, credential: string): Promise<boolean> {
  const r = await db
    .selectFrom('verifiable_events')
    .select('height')
    .where('ballot_id', '=', ballotId)
    .where('credential', '=', credential)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

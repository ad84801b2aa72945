import { type Selectable, sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { BranchTurnout } from './electorate';
import type { Database, VerifiableEventType } from '../db/schema';

/** A verifiable ballot's Belenios events, hash-chained and append-only (migration 0015). */

export type EventRow = Omit<Selectable<Database['verifiable_events']>, 'ballot_id'>;

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

/**
 * The election's parameters (the Setup event's first datum) alone: the Setup event also holds
 * the public credentials, megabytes for a large roll, which a cast ballot does not need.
 */
export async function findElectionText(db: Queryable, ballotId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('verifiable_events')
    .select(sql<string>`data[1]`.as('election'))
    .where('ballot_id', '=', ballotId)
    .where('type', '=', 'Setup')
    .executeTakeFirst();
  return row?.election;
}

/** The shuffles so far and their end, without their data (a shuffle of thousands of ballots is tens of MB). */
export async function listShuffleSteps(
  db: Queryable,
  ballotId: string,
): Promise<Array<Pick<EventRow, 'height' | 'type' | 'trustee'>>> {
  return db
    .selectFrom('verifiable_events')
    .select(['height', 'type', 'trustee'])
    .where('ballot_id', '=', ballotId)
    .where('type', 'in', ['Shuffle', 'EndShuffles'])
    .orderBy('height')
    .execute();
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

/**
 * Turnout by branch, as office ballots count it from their tokens: the public credentials of
 * each branch, and how many of them have a ballot on the board (a credential that voted twice counts once).
 */
export async function turnoutByBranch(db: Queryable, ballotId: string): Promise<BranchTurnout[]> {
  return db
    .selectFrom('ballot_public_credentials as c')
    .innerJoin('branches', 'branches.id', 'c.branch_id')
    .select([
      'c.branch_id as branchId',
      'branches.name as branch',
      (eb) => eb.fn.countAll<number>().as('eligible'),
      sql<number>`count(*) filter (where exists (
        select 1 from verifiable_events e where e.ballot_id = c.ballot_id and e.credential = c.credential))`.as(
        'voted',
      ),
    ])
    .where('c.ballot_id', '=', ballotId)
    .groupBy(['c.branch_id', 'branches.name'])
    .orderBy('branches.name')
    .execute();
}

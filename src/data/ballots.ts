import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { BallotStatus, ReceiptPolicy } from '../db/schema';
import { type DeclaredComparison, type Question, storedQuestion } from '@omov/core/domain/ballot';
import type { Method } from '@omov/core/tally/types';
import { statusesAllowing, TRANSITIONS, type Transition } from '@omov/core/domain/lifecycle';
import type { Eligibility } from '@omov/core/domain/eligibility';
import type { BallotMode } from '@omov/core/domain/ballot';

/** Ballots, their questions and options. */

export type BallotRow = {
  id: string;
  organisationId: string;
  title: string;
  description: string;
  opensAt: Date;
  closesAt: Date;
  status: BallotStatus;
  openedAt: Date | null;
  closedAt: Date | null;
  publishedAt: Date | null;
  /** Vote figures are published per branch only for branches of at least k voters. */
  k: number;
  receiptPolicy: ReceiptPolicy;
  voterListVisible: boolean;
  reminderHours: number[];
  delegateSettings: unknown;
  /** Set at close: the voting units (branches and pools) and the Merkle root of the box. */
  units: unknown;
  boxRoot: string | null;
  eligibility: Eligibility | null;
  randomiseOptions: boolean;
  invitationsAt: Date | null;
  /** The IANA zone the ballot's times are shown in. */
  timeZone: string;
  mode: BallotMode;
};

export type { Eligibility };

export type BallotPolicy = {
  k: number;
  receiptPolicy: ReceiptPolicy;
  voterListVisible: boolean;
  reminderHours: number[];
  delegateSettings: unknown;
  eligibility: Eligibility | null;
  randomiseOptions: boolean;
  timeZone: string;
  mode: BallotMode;
};

const ballotColumns = [
  'id',
  'organisation_id as organisationId',
  'title',
  'description',
  'opens_at as opensAt',
  'closes_at as closesAt',
  'status',
  'opened_at as openedAt',
  'closed_at as closedAt',
  'published_at as publishedAt',
  'k',
  'receipt_policy as receiptPolicy',
  'voter_list_visible as voterListVisible',
  'reminder_hours as reminderHours',
  'delegate_settings as delegateSettings',
  'units',
  'box_root as boxRoot',
  sql<Eligibility | null>`eligibility`.as('eligibility'),
  'randomise_options as randomiseOptions',
  'invitations_at as invitationsAt',
  'time_zone as timeZone',
  // The mode's three columns read back as the one value the services handle.
  sql<BallotMode>`case ballots.mode when 'verifiable' then jsonb_build_object(
    'kind', 'verifiable', 'trustees', ballots.trustees, 'threshold', ballots.threshold,
    'credentialAuthority', ballots.credential_authority, 'revoting', ballots.revoting) else '{"kind":"office"}'::jsonb end`.as(
    'mode',
  ),
] as const;

type BallotFields = { title: string; description: string; opensAt: string; closesAt: string } & BallotPolicy;

const policyColumns = (b: BallotPolicy) => ({
  k: b.k,
  receipt_policy: b.receiptPolicy,
  voter_list_visible: b.voterListVisible,
  reminder_hours: b.reminderHours,
  delegate_settings:
    b.delegateSettings === undefined || b.delegateSettings === null ? null : JSON.stringify(b.delegateSettings),
  eligibility: b.eligibility ? JSON.stringify(b.eligibility) : null,
  randomise_options: b.randomiseOptions,
  time_zone: b.timeZone,
  mode: b.mode.kind,
  ...(b.mode.kind === 'verifiable'
    ? {
        trustees: b.mode.trustees,
        threshold: b.mode.threshold,
        credential_authority: b.mode.credentialAuthority,
        revoting: b.mode.revoting,
      }
    : { trustees: null, threshold: null, credential_authority: null, revoting: null }),
});

export async function insertBallot(db: Queryable, organisationId: string, b: BallotFields): Promise<string> {
  const r = await db
    .insertInto('ballots')
    .values({
      organisation_id: organisationId,
      title: b.title,
      description: b.description,
      opens_at: b.opensAt,
      closes_at: b.closesAt,
      opened_at: null,
      closed_at: null,
      published_at: null,
      ...policyColumns(b),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateBallotFields(db: Queryable, id: string, b: BallotFields): Promise<void> {
  await db
    .updateTable('ballots')
    .set({
      title: b.title,
      description: b.description,
      opens_at: b.opensAt,
      closes_at: b.closesAt,
      updated_at: sql<Date>`now()`,
      ...policyColumns(b),
    })
    .where('id', '=', id)
    .execute();
}

/** What the close established: the voting units, the box's Merkle root, the reconciliation. */
export async function recordOpenedBox(
  db: Queryable,
  id: string,
  o: { units: unknown; root: string; countsCheck: unknown },
): Promise<void> {
  await db
    .updateTable('ballots')
    .set({ units: JSON.stringify(o.units), box_root: o.root, counts_check: JSON.stringify(o.countsCheck) })
    .where('id', '=', id)
    .execute();
}

/** A verifiable ballot's voting units, fixed at its close (it has no box, so no root). */
export async function setUnits(db: Queryable, id: string, units: unknown): Promise<void> {
  await db
    .updateTable('ballots')
    .set({ units: JSON.stringify(units) })
    .where('id', '=', id)
    .execute();
}

/** A ballot's results as stored at close: their canonical JSON and its hash. */
export type StoredResultsRow = {
  results: string;
  resultsHash: string;
  /** The turnout per branch counted at close; null when it was not stored (verifiable ballots, results stored before 0036). */
  turnout: StoredBranchTurnout[] | null;
};
export type StoredBranchTurnout = { branch: string; eligible: number; voted: number };

/** Stores the results counted at close; a second store of the same ballot changes nothing. */
export async function insertResults(db: Queryable, ballotId: string, r: StoredResultsRow): Promise<void> {
  await db
    .insertInto('ballot_results')
    .values({
      ballot_id: ballotId,
      results: r.results,
      results_hash: r.resultsHash,
      turnout: r.turnout === null ? null : JSON.stringify(r.turnout),
    })
    .onConflict((oc) => oc.column('ballot_id').doNothing())
    .execute();
}

export async function findResults(db: Queryable, ballotId: string): Promise<StoredResultsRow | undefined> {
  const row = await db
    .selectFrom('ballot_results')
    .select(['results', 'results_hash as resultsHash', 'turnout'])
    .where('ballot_id', '=', ballotId)
    .executeTakeFirst();
  return row && { ...row, turnout: (row.turnout ?? null) as StoredBranchTurnout[] | null };
}

/** Replaces one question's declared comparisons; false when the ballot has no such question. */
export async function setComparisons(
  db: Queryable,
  ballotId: string,
  questionId: string,
  comparisons: ReadonlyArray<DeclaredComparison>,
): Promise<boolean> {
  const r = await db
    .updateTable('questions')
    .set({ comparisons: JSON.stringify(comparisons) })
    .where('id', '=', questionId)
    .where('ballot_id', '=', ballotId)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** Replaces one question's settings (the services check them against its method). */
export async function setQuestionSettings(
  db: Queryable,
  ballotId: string,
  questionId: string,
  settings: unknown,
): Promise<void> {
  await db
    .updateTable('questions')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', questionId)
    .where('ballot_id', '=', ballotId)
    .execute();
}

export async function deleteQuestions(db: Queryable, ballotId: string): Promise<void> {
  await db.deleteFrom('questions').where('ballot_id', '=', ballotId).execute();
}

export async function insertQuestion(
  db: Queryable,
  ballotId: string,
  q: {
    position: number;
    title: string;
    description: string;
    method: Method;
    settings: unknown;
    options: Array<{ label: string; description: string }>;
    comparisons: ReadonlyArray<DeclaredComparison>;
  },
): Promise<void> {
  const { id } = await db
    .insertInto('questions')
    .values({
      ballot_id: ballotId,
      position: q.position,
      title: q.title,
      description: q.description,
      method: q.method,
      settings: JSON.stringify(q.settings),
      comparisons: JSON.stringify(q.comparisons),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('options')
    .values(
      q.options.map((o, i) => ({
        question_id: id,
        position: i,
        label: o.label,
        description: o.description,
      })),
    )
    .execute();
}

export async function findBallot(db: Queryable, organisationId: string, id: string): Promise<BallotRow | undefined> {
  return db
    .selectFrom('ballots')
    .select(ballotColumns)
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

/** For the public pages (voting, published results), where no organisation is known. */
export async function findBallotById(db: Queryable, id: string): Promise<BallotRow | undefined> {
  return db.selectFrom('ballots').select(ballotColumns).where('id', '=', id).executeTakeFirst();
}

/** Locks the ballot row: casting takes it shared, state changes take it exclusively. */
export async function lockBallot(db: Queryable, id: string, mode: 'share' | 'update'): Promise<BallotRow | undefined> {
  const q = db.selectFrom('ballots').select(ballotColumns).where('id', '=', id);
  return (mode === 'share' ? q.forShare() : q.forUpdate()).executeTakeFirst();
}

export async function listBallots(db: Queryable, organisationId: string): Promise<BallotRow[]> {
  return db
    .selectFrom('ballots')
    .select(ballotColumns)
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * Moves a ballot on by one of the lifecycle's transitions, and stamps when. Only from the
 * transition's own state: a ballot that has moved meanwhile is refused, never overwritten.
 */
export async function moveBallot(db: Queryable, id: string, t: Transition): Promise<void> {
  const { from, to } = TRANSITIONS[t];
  const stamp = ({ open: 'opened_at', close: 'closed_at', publish: 'published_at' } as const)[t];
  const r = await db
    .updateTable('ballots')
    .set({ status: to, updated_at: sql<Date>`now()`, [stamp]: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  if (r.numUpdatedRows !== 1n) throw new Error(`ballot ${id} is not ${from}: it cannot ${t}`);
}

/** Open ballots whose closing time has passed, by the database's clock. */
export async function listBallotsDueToClose(db: Queryable): Promise<string[]> {
  const rows = await db
    .selectFrom('ballots')
    .select('id')
    .where('status', '=', TRANSITIONS.close.from)
    .where('closes_at', '<=', sql<Date>`now()`)
    .execute();
  return rows.map((r) => r.id);
}

/** A ballot's questions with their options, in order, in one round trip. */
export async function listQuestions(db: Queryable, ballotId: string): Promise<Question[]> {
  const r = await sql<{
    id: string;
    position: number;
    title: string;
    description: string;
    method: string;
    settings: unknown;
    options: Question['options'];
    comparisons: unknown;
    positions: unknown;
  }>`
    select q.id, q.position, q.title, q.description, q.method, q.settings, q.comparisons,
      coalesce((select json_agg(json_build_object('id', o.id, 'position', o.position, 'label', o.label, 'description', o.description) order by o.position)
                from options o where o.question_id = q.id), '[]'::json) as options,
      -- Branch meetings' positions (db/migrations/0034), fixed at open with the question.
      coalesce((select json_agg(json_build_object('branch', b.name, 'position', o.label, 'attendance', p.attendance) order by b.name)
                from branch_positions p join branches b on b.id = p.branch_id left join options o on o.id = p.option_id
                where p.question_id = q.id), '[]'::json) as positions
    from questions q where q.ballot_id = ${ballotId} order by q.position`.execute(db);
  // Settings are parsed once, here, into their method's type; a stored question that no
  // longer reads is an error naming it (StoredQuestionError), never a silent default.
  return r.rows.map(storedQuestion);
}

/**
 * Locks a ballot row shared (for casting) and reads the database's clock in the same
 * round trip: the window is judged by the database, never by a server's clock.
 */
export async function databaseNow(db: Queryable): Promise<Date> {
  const r = await sql<{ now: Date }>`select now() as now`.execute(db);
  return r.rows[0]!.now;
}

export async function deleteBallot(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('ballots').where('id', '=', id).execute();
}

/** Automatic reminders whose moment has come (and came after the ballot opened), not yet sent. */
export async function listDueReminders(db: Queryable): Promise<Array<{ ballotId: string; hoursBefore: number }>> {
  const r = await sql<{ ballotId: string; hoursBefore: number }>`
    select b.id as "ballotId", h as "hoursBefore"
    from ballots b cross join lateral unnest(b.reminder_hours) as h
    where b.status = any(${statusesAllowing('send-reminders')})
      and now() >= b.closes_at - make_interval(hours => h)
      and now() < b.closes_at
      and b.opened_at <= b.closes_at - make_interval(hours => h)
      and not exists (select 1 from ballot_reminders r where r.ballot_id = b.id and r.hours_before = h)
  `.execute(db);
  return r.rows;
}

/** Claims a reminder; false if another instance already did. */
export async function claimReminder(db: Queryable, ballotId: string, hoursBefore: number): Promise<boolean> {
  const r = await db
    .insertInto('ballot_reminders')
    .values({ ballot_id: ballotId, hours_before: hoursBefore })
    .onConflict((oc) => oc.doNothing())
    .returning('ballot_id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function setInvitationsAt(db: Queryable, id: string, at: Date | string): Promise<void> {
  await db.updateTable('ballots').set({ invitations_at: at }).where('id', '=', id).execute();
}

/** Records, for every open ballot, how many have voted now (an aggregate for the turnout chart). */
export async function snapshotTurnout(db: Queryable): Promise<void> {
  await sql`
    insert into turnout_history (ballot_id, at, voted)
    select b.id, date_trunc('minute', now()), (select count(*) from voting_tokens t where t.ballot_id = b.id and t.used)
    from ballots b where b.status = any(${statusesAllowing('cast')})
    on conflict (ballot_id, at) do update set voted = excluded.voted
  `.execute(db);
}

export async function turnoutHistory(db: Queryable, ballotId: string): Promise<Array<{ at: Date; voted: number }>> {
  return db
    .selectFrom('turnout_history')
    .select(['at', 'voted'])
    .where('ballot_id', '=', ballotId)
    .orderBy('at')
    .execute();
}

export type VotingTokenView = {
  ballot: BallotRow;
  used: boolean;
  /** What a vote cast with the link carries (sealed with it): never the member. */
  branchId: string;
  /** The branch's name, for the member's own branch meeting's position. */
  branch: string;
  weight: string;
  organisationName: string;
  now: Date;
};

/**
 * What voting links open, in one round trip for many links at once (the voting pages
 * batch their lookups under load): for each token hash found, its ballot, whether it is
 * used, the organisation's name and the database's clock (the voting window is judged
 * by it). Keyed by the hash in hex; unknown hashes are absent.
 */
export async function findByVotingTokens(db: Queryable, tokenHashes: Buffer[]): Promise<Map<string, VotingTokenView>> {
  const found = new Map<string, VotingTokenView>();
  if (tokenHashes.length === 0) return found;
  const rows = await db
    .selectFrom('voting_tokens')
    .innerJoin('ballots', 'ballots.id', 'voting_tokens.ballot_id')
    .innerJoin('organisations', 'organisations.id', 'ballots.organisation_id')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select([
      ...(ballotColumns.map((c) => (typeof c === 'string' ? `ballots.${c}` : c)) as unknown as typeof ballotColumns),
      'voting_tokens.token_hash as tokenHash',
      'voting_tokens.used as used',
      'voting_tokens.branch_id as branchId',
      'branches.name as branchName',
      'voting_tokens.weight as weight',
      'organisations.name as organisationName',
      sql<Date>`now()`.as('now'),
    ])
    .where('voting_tokens.token_hash', '=', sql<Buffer>`any(${tokenHashes}::bytea[])`)
    .execute();
  for (const row of rows) {
    const { tokenHash, used, branchId, branchName, weight, organisationName, now, ...ballot } =
      row as unknown as BallotRow & {
        tokenHash: Buffer;
        used: boolean;
        branchId: string;
        branchName: string;
        weight: string;
        organisationName: string;
        now: Date;
      };
    found.set(tokenHash.toString('hex'), { ballot, used, branchId, branch: branchName, weight, organisationName, now });
  }
  return found;
}

/** Open ballots whose electorate holds members of these branches, or whose rule names them. */
export async function listOpenBallotsUsingBranches(
  db: Queryable,
  organisationId: string,
  branches: ReadonlyArray<{ id: string; name: string }>,
): Promise<Array<{ id: string; title: string }>> {
  const ids = branches.map((b) => b.id);
  const names = branches.map((b) => b.name);
  const r = await sql<{ id: string; title: string }>`
    select b.id, b.title from ballots b
    where b.organisation_id = ${organisationId} and b.status = 'open'
      and (exists (select 1 from voting_tokens t where t.ballot_id = b.id and t.branch_id = any(${ids}::uuid[]))
           or coalesce(b.eligibility->'branches', '[]'::jsonb) ?| ${names}::text[])
    order by b.title`.execute(db);
  return r.rows;
}

/** Drafts whose rule names branch `from` name `into` instead; returns how many changed. */
export async function renameBranchInDrafts(
  db: Queryable,
  organisationId: string,
  from: string,
  into: string,
): Promise<number> {
  const r = await sql`
    update ballots set eligibility = jsonb_set(eligibility, '{branches}', (
      select jsonb_agg(distinct case when x = ${from} then ${into} else x end)
      from jsonb_array_elements_text(eligibility->'branches') as x))
    where organisation_id = ${organisationId} and status = 'draft' and eligibility->'branches' ? ${from}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

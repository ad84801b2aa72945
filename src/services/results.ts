import { setImmediate } from 'node:timers/promises';
import * as audit from '../data/audit';
import * as ballots from '../data/ballots';
import type { BallotRow, StoredBranchTurnout, StoredResultsRow } from '../data/ballots';
import * as box from '../data/ballot-box';
import * as electorate from '../data/electorate';
import * as verifiable from '../data/verifiable';
import type { Principal } from '../data/organisations';
import type { Db, Queryable } from '../db/database';
import type { DelegateSettingsInput, StoredVote } from '@omov/core/domain/ballot';
import type { QuestionResult, UnitFacts } from '@omov/core/domain/count';
import { OPEN_COMMITMENT } from '@omov/core/record/commitments';
import { poolBranches, type VotingUnit } from '@omov/core/domain/pooling';
import { allows } from '@omov/core/domain/lifecycle';
import { requireBallotVisible, requireState } from './access';
import type { AppContext } from './context';
import { conflict, notFound, ServiceError } from './errors';
import { CloseThread } from './close-thread';
import { reportCount } from './problem-reports';

/**
 * Results of a closed ballot: turnout overall and per branch, and for each question the
 * figures per option and the full count by the question's method (src/tally). The count is
 * done once, at close, and stored with its hash; every page, the API, the downloads and the
 * election record serve the stored results, so no read counts (and `omov verify` recounts).
 */

export type Turnout = {
  eligible: number;
  voted: number;
  percent: string;
  /** Per branch, or per pool of branches with fewer than k voters (then `branch` names the pool). */
  byBranch: Array<{
    branch: string;
    branches: string[];
    pooled: boolean;
    eligible: number;
    voted: number;
    percent: string;
  }>;
};

export type BallotResults = {
  ballot: {
    id: string;
    title: string;
    status: BallotRow['status'];
    opensAt: string;
    closesAt: string;
    k: number;
    boxRoot: string | null;
    /** The SHA-256 of the stored results' canonical JSON, as in the election record and the close's log entry. */
    resultsHash: string;
  };
  units: VotingUnit[];
  turnout: Turnout;
  questions: QuestionResult[];
};

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0.0' : ((part * 100) / whole).toFixed(1);
}

/**
 * Turnout overall and per branch. A branch with fewer than k voters is shown only inside
 * a pool (the same rule as vote figures, empty branches included): otherwise "1 of 1
 * voted" would tell which member has voted, which organisers do not see by default.
 */
export async function turnout(
  ctx: AppContext,
  ballotId: string,
  k: number,
  mode: BallotRow['mode']['kind'] = 'office',
): Promise<Turnout> {
  // A verifiable ballot has no tokens: its electorate is its public credentials, its voters those with a ballot on the board.
  const rows = await (mode === 'verifiable' ? verifiable : electorate).turnoutByBranch(ctx.db, ballotId);
  return turnoutOf(
    rows.map((b) => ({ branch: b.branch, eligible: Number(b.eligible), voted: Number(b.voted) })),
    k,
  );
}

/** The turnout from the figures per branch (counted now, or stored at close), pooled under k. */
function turnoutOf(byBranch: StoredBranchTurnout[], k: number): Turnout {
  const eligible = byBranch.reduce((n, b) => n + b.eligible, 0);
  const voted = byBranch.reduce((n, b) => n + b.voted, 0);
  const figures = new Map(byBranch.map((b) => [b.branch, b]));
  const units = poolBranches(
    byBranch.map((b) => ({ branch: b.branch, voters: b.voted })),
    k,
    { includeEmpty: true },
  );
  return {
    eligible,
    voted,
    percent: percent(voted, eligible),
    byBranch: units.map((u) => {
      const e = u.branches.reduce((n, br) => n + figures.get(br)!.eligible, 0);
      const v = u.branches.reduce((n, br) => n + figures.get(br)!.voted, 0);
      return { branch: u.name, branches: u.branches, pooled: u.pooled, eligible: e, voted: v, percent: percent(v, e) };
    }),
  };
}

/** Stored votes handed to a count's thread at a time, the event loop free between them. */
const HAND_OVER = 2000;

/**
 * Counts every question of a closed ballot, exactly as the election record's verifier
 * recounts it, and stores the results with their hash: in the caller's transaction, so that
 * a ballot is never closed without its results. Storing twice keeps the first.
 *
 * The count runs in a worker thread (the delegate comparisons and their searches take
 * seconds to minutes on a large ballot): the close's, which holds the votes it opened, or,
 * for a ballot closed before results were stored, one started here and handed the votes
 * read back from the box. A failure of the thread fails the count and so the transaction.
 */
export async function countAndStore(
  tx: Queryable,
  b: Pick<BallotRow, 'id' | 'delegateSettings'>,
  units: UnitFacts[],
  closing?: CloseThread,
): Promise<StoredResultsRow> {
  const thread = closing ?? CloseThread.start();
  try {
    const [questions, byBranch] = await Promise.all([
      ballots.listQuestions(tx, b.id),
      electorate.turnoutByBranch(tx, b.id),
    ]);
    if (!closing) {
      const votes = await box.listVotes(tx, b.id);
      for (let i = 0; i < votes.length; i += HAND_OVER) {
        thread.post({ votes: votes.slice(i, i + HAND_OVER) });
        await setImmediate();
      }
    }
    // The turnout is counted here, once: the tokens cannot change after close, and reads serve it from storage.
    const turnoutRows = byBranch.map((x) => ({
      branch: x.branch,
      eligible: Number(x.eligible),
      voted: Number(x.voted),
    }));
    const eligible = turnoutRows.reduce((n, x) => n + x.eligible, 0);
    const delegates = (b.delegateSettings ?? null) as DelegateSettingsInput | null;
    const answer = await thread.request({ count: { ballot: { id: b.id, delegates, questions }, eligible, units } });
    if (!('counted' in answer)) throw new Error("the close's worker thread answered out of turn");
    const row = { results: answer.counted.json, resultsHash: answer.counted.hash, turnout: turnoutRows };
    await ballots.insertResults(tx, b.id, row);
    return row;
  } finally {
    if (!closing) await thread.stop();
  }
}

/**
 * The stored results of a closed ballot, in the caller's transaction. A ballot closed before
 * results were stored has none: it is counted now and stored. The count is deterministic, so
 * two first readers would store the same results (and the second store changes nothing).
 */
export async function storedResultsIn(tx: Queryable, b: BallotRow): Promise<StoredResults> {
  // A verifiable ballot's results come from the trustees' decryptions, never from the (empty) box.
  if (b.mode.kind === 'verifiable') {
    const row = await ballots.findResults(tx, b.id);
    if (!row)
      throw conflict('the trustees have not decrypted the tally yet: the results follow once enough of them have');
    return read(row);
  }
  return read((await ballots.findResults(tx, b.id)) ?? (await countAndStore(tx, b, (b.units ?? []) as UnitFacts[])));
}

export type StoredResults = {
  questions: QuestionResult[];
  resultsHash: string;
  /** The turnout per branch stored at close; null when it was not stored (then it is counted on read). */
  turnout: StoredBranchTurnout[] | null;
};
const read = (row: StoredResultsRow): StoredResults => ({
  questions: JSON.parse(row.results) as QuestionResult[],
  resultsHash: row.resultsHash,
  turnout: row.turnout,
});

/** The stored results of a closed ballot (counted once now if it was closed before they were stored). */
export async function storedResultsOf(db: Db, b: BallotRow): Promise<StoredResults> {
  const row = await ballots.findResults(db, b.id);
  if (row) return read(row);
  return db.transaction().execute(async (tx) => {
    // The lock makes two first readers count it once.
    await ballots.lockBallot(tx, b.id, 'update');
    return storedResultsIn(tx, b);
  });
}

async function resultsOf(ctx: AppContext, b: BallotRow): Promise<BallotResults> {
  const stored = await storedResultsOf(ctx.db, b);
  // Served from storage: counted once at close. Results stored before 0036, and verifiable ballots, are counted on read.
  const t = stored.turnout ? turnoutOf(stored.turnout, b.k) : await turnout(ctx, b.id, b.k, b.mode.kind);
  const unitFacts = (b.units ?? []) as UnitFacts[];
  const units: VotingUnit[] = unitFacts.map(({ name, branches, pooled }) => ({ name, branches, pooled }));
  return {
    ballot: {
      id: b.id,
      title: b.title,
      status: b.status,
      opensAt: b.opensAt.toISOString(),
      closesAt: b.closesAt.toISOString(),
      k: b.k,
      boxRoot: b.boxRoot,
      resultsHash: stored.resultsHash,
    },
    units,
    turnout: t,
    questions: stored.questions,
  };
}

/** For the organiser: results once the ballot is closed. */
export async function ballotResults(ctx: AppContext, p: Principal, id: string): Promise<BallotResults> {
  requireBallotVisible(p, id);
  const b = await ballots.findBallot(ctx.db, p.organisationId, id);
  if (!b) throw notFound('ballot');
  requireState(b, 'read-results');
  return resultsOf(ctx, b);
}

/** For anyone: results once published. */
export async function publishedResults(ctx: AppContext, id: string): Promise<BallotResults> {
  const b = await ballots.findBallotById(ctx.db, id);
  if (!b || !allows(b.status, 'read-public-results')) throw notFound('published ballot');
  return resultsOf(ctx, b);
}

/** Turnout while the ballot runs. */
export async function ballotTurnout(ctx: AppContext, p: Principal, id: string): Promise<Turnout> {
  requireBallotVisible(p, id);
  const b = await ballots.findBallot(ctx.db, p.organisationId, id);
  if (!b) throw notFound('ballot');
  return turnout(ctx, id, b.k, b.mode.kind);
}

export type BulletinBoard = {
  ballotId: string;
  title: string;
  policy: 'inclusion' | 'choices';
  /** Whether voting has closed: the receipts (and the root) are up only then. */
  closed: boolean;
  boxRoot: string | null;
  /** The electorate per branch as committed when the ballot opened (empty for ballots opened before commitments). */
  electorate: Array<{ branch: string; eligible: number }>;
  /** How many problems members have reported to the auditors, as the audit log counts them. */
  problemReports: number;
  receipts: Array<{ receipt: string; answers?: StoredVote['answers'] }>;
};

/**
 * A ballot's public board. From the opening: the electorate per branch as committed before
 * anyone voted, and the number of problems members have reported. After close, every
 * receipt code too. Under the 'choices' policy each receipt shows the answers recorded
 * under it (a voter can check the vote was counted as cast); under 'inclusion' only that
 * it is there (which makes a receipt worthless to a vote buyer).
 */
export async function bulletinBoard(ctx: AppContext, id: string): Promise<BulletinBoard> {
  const b = await ballots.findBallotById(ctx.db, id);
  if (!b || !allows(b.status, 'read-board')) throw notFound('ballot');
  const closed = allows(b.status, 'read-receipts');
  // Under 'inclusion' the receipts are kept apart from the votes: the board lists the codes alone.
  const receipts = !closed
    ? []
    : b.receiptPolicy === 'choices'
      ? (await box.listVotes(ctx.db, id)).map((v) => ({ receipt: v.receipt ?? '', answers: v.answers }))
      : (await box.listReceipts(ctx.db, id)).map((receipt) => ({ receipt }));
  // Members can check their branch's size against what the server committed to before anyone voted.
  const committed = await audit.findEntry(ctx.db, OPEN_COMMITMENT, b.id);
  const electorate = ((committed?.details.electorate ?? []) as Array<{ branch: string; eligible: number }>).map(
    ({ branch, eligible }) => ({ branch, eligible }),
  );
  return {
    ballotId: b.id,
    title: b.title,
    policy: b.receiptPolicy,
    closed,
    boxRoot: closed ? b.boxRoot : null,
    electorate,
    problemReports: await reportCount(ctx, b.id),
    receipts,
  };
}

/** Which members have voted: only for ballots whose organisation switched this on (the record says so). */
export async function voterList(ctx: AppContext, p: Principal, id: string) {
  requireBallotVisible(p, id);
  const b = await ballots.findBallot(ctx.db, p.organisationId, id);
  if (!b) throw notFound('ballot');
  if (!b.voterListVisible) {
    throw new ServiceError(
      'forbidden',
      'this ballot does not show who has voted (voterListVisible is off); turnout is shown in aggregate',
    );
  }
  return electorate.listElectorate(ctx.db, id);
}

/** Turnout over time, for the chart: counts recorded every minute while the ballot was open. */
export async function turnoutOverTime(ctx: AppContext, p: Principal, id: string) {
  requireBallotVisible(p, id);
  if (!(await ballots.findBallot(ctx.db, p.organisationId, id))) throw notFound('ballot');
  return ballots.turnoutHistory(ctx.db, id);
}

/** Called by the scheduler on every instance: the minute's turnout of each open ballot. */
export const recordTurnoutSnapshot = (ctx: AppContext) => ballots.snapshotTurnout(ctx.db);

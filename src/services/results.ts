import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as box from '../data/ballot-box';
import * as electorate from '../data/electorate';
import type { Principal } from '../data/organisations';
import type { DelegateSettingsInput, StoredVote } from '@omov/core/domain/ballot';
import type { QuestionResult, UnitFacts } from '@omov/core/domain/count';
import { countRecordQuestion } from '@omov/core/record/record';
import { poolBranches, type VotingUnit } from '@omov/core/domain/pooling';
import { allows } from '@omov/core/domain/lifecycle';
import { requireBallotVisible, requireState } from './access';
import type { AppContext } from './context';
import { notFound, ServiceError } from './errors';

/**
 * Results of a closed ballot: turnout overall and per branch, and for each question the
 * figures per option and the full count by the question's method (src/tally).
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
export async function turnout(ctx: AppContext, ballotId: string, k: number): Promise<Turnout> {
  const byBranch = (await electorate.turnoutByBranch(ctx.db, ballotId)).map((b) => ({
    branch: b.branch,
    eligible: Number(b.eligible),
    voted: Number(b.voted),
  }));
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

async function resultsOf(ctx: AppContext, b: BallotRow): Promise<BallotResults> {
  const [questions, votes, t] = await Promise.all([
    ballots.listQuestions(ctx.db, b.id),
    box.listVotes(ctx.db, b.id),
    turnout(ctx, b.id, b.k),
  ]);
  const unitFacts = (b.units ?? []) as UnitFacts[];
  const units: VotingUnit[] = unitFacts.map(({ name, branches, pooled }) => ({ name, branches, pooled }));
  const delegates = (b.delegateSettings ?? null) as DelegateSettingsInput | null;
  // Counted exactly as the election record counts (and the verifier re-counts).
  const countOne = (q: (typeof questions)[number]) =>
    countRecordQuestion({ id: b.id, delegates }, q, votes, t.eligible, unitFacts);
  return {
    ballot: {
      id: b.id,
      title: b.title,
      status: b.status,
      opensAt: b.opensAt.toISOString(),
      closesAt: b.closesAt.toISOString(),
      k: b.k,
      boxRoot: b.boxRoot,
    },
    units,
    turnout: t,
    questions: questions.map(countOne),
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
  return turnout(ctx, id, b.k);
}

export type BulletinBoard = {
  ballotId: string;
  title: string;
  policy: 'inclusion' | 'choices';
  boxRoot: string | null;
  receipts: Array<{ receipt: string; answers?: StoredVote['answers'] }>;
};

/**
 * After close, every receipt code, public. Under the 'choices' policy each receipt shows
 * the answers recorded under it (a voter can check the vote was counted as cast); under
 * 'inclusion' only that it is there (which makes a receipt worthless to a vote buyer).
 */
export async function bulletinBoard(ctx: AppContext, id: string): Promise<BulletinBoard> {
  const b = await ballots.findBallotById(ctx.db, id);
  if (!b || !allows(b.status, 'read-board')) throw notFound('closed ballot');
  const votes = await box.listVotes(ctx.db, id);
  return {
    ballotId: b.id,
    title: b.title,
    policy: b.receiptPolicy,
    boxRoot: b.boxRoot,
    receipts: votes.map((v) =>
      b.receiptPolicy === 'choices' ? { receipt: v.receipt, answers: v.answers } : { receipt: v.receipt },
    ),
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

import { type ExpressionBuilder, sql } from 'kysely';
import type { ProposalKind, ProposalRules, ProposalStatus } from '@omov/core/domain/proposals';
import type { QualifiedSupport } from '@omov/core/record/proposals';
import type { Queryable } from '../db/database';
import type { Database } from '../db/schema';

/** Member proposals, their rules, the members' proposal links and the signatures (db/migrations/0018_proposals.ts). */

export type RulesRow = ProposalRules & { id: string; setAt: Date; setBy: string };

const rulesColumns = [
  'id',
  'share_percent',
  'min_branches',
  'combine',
  'window_days',
  'schedule_days',
  'k',
  'amendment_days',
  'set_at',
  'set_by',
] as const;

function rulesOf(r: {
  id: string;
  share_percent: string | null;
  min_branches: number | null;
  combine: 'either' | 'both';
  window_days: number;
  schedule_days: number;
  k: number;
  amendment_days: number | null;
  set_at: Date;
  set_by: string;
}): RulesRow {
  return {
    id: r.id,
    sharePercent: r.share_percent === null ? null : Number(r.share_percent),
    minBranches: r.min_branches,
    combine: r.combine,
    windowDays: r.window_days,
    scheduleDays: r.schedule_days,
    k: r.k,
    amendmentDays: r.amendment_days,
    setAt: r.set_at,
    setBy: r.set_by,
  };
}

export async function insertRules(
  db: Queryable,
  organisationId: string,
  r: ProposalRules,
  setBy: string,
): Promise<RulesRow> {
  const row = await db
    .insertInto('proposal_rules')
    .values({
      organisation_id: organisationId,
      share_percent: r.sharePercent === null ? null : String(r.sharePercent),
      min_branches: r.minBranches,
      combine: r.combine,
      window_days: r.windowDays,
      schedule_days: r.scheduleDays,
      k: r.k,
      amendment_days: r.amendmentDays,
      set_by: setBy,
    })
    .returning(rulesColumns)
    .executeTakeFirstOrThrow();
  return rulesOf(row);
}

/** Every version of the rules, newest first: the first is in force. */
export async function listRules(db: Queryable, organisationId: string): Promise<RulesRow[]> {
  const rows = await db
    .selectFrom('proposal_rules')
    .select(rulesColumns)
    .where('organisation_id', '=', organisationId)
    .orderBy('set_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(rulesOf);
}

export async function findRules(db: Queryable, id: string): Promise<RulesRow | undefined> {
  const row = await db.selectFrom('proposal_rules').select(rulesColumns).where('id', '=', id).executeTakeFirst();
  return row && rulesOf(row);
}

/* The members' proposal links. */

export async function insertLink(
  db: Queryable,
  l: { tokenHash: Buffer; organisationId: string; memberId: string; days: number },
): Promise<void> {
  await db
    .insertInto('proposal_links')
    .values({
      token_hash: l.tokenHash,
      organisation_id: l.organisationId,
      member_id: l.memberId,
      expires_at: sql<Date>`now() + make_interval(days => ${l.days})`,
    })
    .execute();
}

export type LinkMember = {
  memberId: string;
  organisationId: string;
  organisationName: string;
  branchId: string;
  branch: string;
  name: string;
  email: string;
};

/** The current member a live link belongs to. */
export async function findLinkMember(db: Queryable, tokenHash: Buffer): Promise<LinkMember | undefined> {
  return db
    .selectFrom('proposal_links')
    .innerJoin('members', 'members.id', 'proposal_links.member_id')
    .innerJoin('branches', 'branches.id', 'members.branch_id')
    .innerJoin('organisations', 'organisations.id', 'members.organisation_id')
    .select([
      'members.id as memberId',
      'members.organisation_id as organisationId',
      'organisations.name as organisationName',
      'members.branch_id as branchId',
      'branches.name as branch',
      'members.name',
      'members.email',
    ])
    .where('proposal_links.token_hash', '=', tokenHash)
    .where('proposal_links.expires_at', '>', sql<Date>`now()`)
    .where('members.removed_at', 'is', null)
    .executeTakeFirst();
}

/** Current members with this address, in any organisation. */
export async function findMembersByEmail(db: Queryable, email: string) {
  return db
    .selectFrom('members')
    .innerJoin('organisations', 'organisations.id', 'members.organisation_id')
    .select([
      'members.id',
      'members.organisation_id as organisationId',
      'organisations.name as organisationName',
      'members.name',
      'members.email',
    ])
    .where(sql<string>`lower(members.email)`, '=', email.toLowerCase())
    .where('members.removed_at', 'is', null)
    .execute();
}

/* Proposals. */

export type ProposalRow = {
  id: string;
  organisationId: string;
  rulesId: string;
  /** The motion an amendment amends; null for others. */
  parentId: string | null;
  kind: ProposalKind;
  title: string;
  text: string;
  options: string[] | null;
  /** The proposing member; null for an amendment a branch tabled (`branchId`). */
  proposerMemberId: string | null;
  /** The branch that tabled an amendment through its secretary; null for a member's. */
  branchId: string | null;
  status: ProposalStatus;
  createdAt: Date;
  startedAt: Date | null;
  closesAt: Date | null;
  supportersNeeded: number | null;
  branchesNeeded: number | null;
  qualifiedAt: Date | null;
  scheduleBy: Date | null;
  ballotId: string | null;
  scheduledAt: Date | null;
  /** The proposers' case for. */
  caseFor: string | null;
  /** On a motion: when its amendment period closes (null: none opened). */
  amendmentsCloseAt: Date | null;
  /** A case against a question the office put on a draft ballot: the ballot (null for others). */
  questionBallotId: string | null;
  /** That question, as it is now on the ballot (null once it was dropped while the case gathered). */
  questionId: string | null;
  /** When the scheduler marked it lapsed (null: not yet, or it did not lapse; 0044). */
  lapsedAt: Date | null;
  /** When the scheduler marked it overdue (null: not yet, or it was not; 0044). */
  overdueAt: Date | null;
};

const proposalColumns = [
  'id',
  'organisation_id as organisationId',
  'rules_id as rulesId',
  'parent_id as parentId',
  'kind',
  'title',
  'text',
  'options',
  'proposer_member_id as proposerMemberId',
  'branch_id as branchId',
  'status',
  'created_at as createdAt',
  'started_at as startedAt',
  'closes_at as closesAt',
  'supporters_needed as supportersNeeded',
  'branches_needed as branchesNeeded',
  'qualified_at as qualifiedAt',
  'schedule_by as scheduleBy',
  'ballot_id as ballotId',
  'scheduled_at as scheduledAt',
  'case_for as caseFor',
  'amendments_close_at as amendmentsCloseAt',
  'question_ballot_id as questionBallotId',
  'question_id as questionId',
  'lapsed_at as lapsedAt',
  'overdue_at as overdueAt',
] as const;

/** A scheduled proposal whose draft ballot was deleted is the office's to schedule again. */
const asStored = <T extends { status: ProposalStatus; ballotId: string | null }>(p: T): T =>
  p.status === 'scheduled' && p.ballotId === null ? { ...p, status: 'qualified' } : p;

export async function insertProposal(
  db: Queryable,
  p: Pick<ProposalRow, 'organisationId' | 'rulesId' | 'kind' | 'title' | 'text' | 'options' | 'proposerMemberId'> & {
    parentId?: string | null;
    branchId?: string | null;
    question?: { ballotId: string; questionId: string };
  },
): Promise<string> {
  const row = await db
    .insertInto('proposals')
    .values({
      organisation_id: p.organisationId,
      rules_id: p.rulesId,
      kind: p.kind,
      title: p.title,
      text: p.text,
      options: p.options === null ? null : JSON.stringify(p.options),
      proposer_member_id: p.proposerMemberId,
      parent_id: p.parentId ?? null,
      branch_id: p.branchId ?? null,
      question_ballot_id: p.question?.ballotId ?? null,
      question_id: p.question?.questionId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findProposal(db: Queryable, id: string): Promise<ProposalRow | undefined> {
  const row = await db.selectFrom('proposals').select(proposalColumns).where('id', '=', id).executeTakeFirst();
  return row && asStored(row);
}

/** Locks the proposal's row, so that signatures and scheduling of one proposal take turns. */
export async function lockProposal(db: Queryable, id: string): Promise<ProposalRow | undefined> {
  const row = await db
    .selectFrom('proposals')
    .select(proposalColumns)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row && asStored(row);
}

/** The organisation's proposals: started ones, or also the drafts of one member. */
export async function listProposals(
  db: Queryable,
  organisationId: string,
  opts: { draftsOf?: string } = {},
): Promise<ProposalRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .select(proposalColumns)
    .where('organisation_id', '=', organisationId)
    .where((eb) =>
      opts.draftsOf
        ? eb.or([eb('status', '<>', 'draft'), eb('proposer_member_id', '=', opts.draftsOf)])
        : eb('status', '<>', 'draft'),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(asStored);
}

/** Starts gathering support now, by the database's clock, with the threshold fixed at start. */
export async function startProposal(
  db: Queryable,
  id: string,
  t: { windowDays: number; supportersNeeded: number | null; branchesNeeded: number | null; closesBy?: Date | null },
): Promise<void> {
  // An amendment gathers support until its window ends or its motion's amendment period closes, whichever is first.
  const closes = t.closesBy
    ? sql<Date>`least(now() + make_interval(days => ${t.windowDays}), ${t.closesBy}::timestamptz)`
    : sql<Date>`now() + make_interval(days => ${t.windowDays})`;
  await db
    .updateTable('proposals')
    .set({
      status: 'gathering',
      started_at: sql<Date>`now()`,
      closes_at: closes,
      supporters_needed: t.supportersNeeded,
      branches_needed: t.branchesNeeded,
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .execute();
}

/**
 * Qualifies a proposal now. A motion under rules that take amendments opens its amendment
 * period (`amendmentDays`) and must be scheduled `scheduleDays` after it closes; an
 * amendment has no date of its own (it goes on the ballot with its motion).
 */
export async function markQualified(
  db: Queryable,
  id: string,
  t: { scheduleDays: number | null; amendmentDays: number | null },
): Promise<void> {
  const amendments = t.amendmentDays ?? 0;
  await db
    .updateTable('proposals')
    .set({
      status: 'qualified',
      qualified_at: sql<Date>`now()`,
      schedule_by:
        t.scheduleDays === null ? null : sql<Date>`now() + make_interval(days => ${t.scheduleDays + amendments})`,
      amendments_close_at: t.amendmentDays === null ? null : sql<Date>`now() + make_interval(days => ${amendments})`,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * The amendments tabled to a motion (started ones, or also one member's drafts), oldest
 * first; with `kind: 'against'`, the members' cases against a proposal instead.
 */
export async function listAmendments(
  db: Queryable,
  parentId: string,
  opts: { draftsOf?: string; kind?: 'amendment' | 'against' } = {},
): Promise<ProposalRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .select(proposalColumns)
    .where('parent_id', '=', parentId)
    .where('kind', '=', opts.kind ?? 'amendment')
    .where((eb) =>
      opts.draftsOf
        ? eb.or([eb('status', '<>', 'draft'), eb('proposer_member_id', '=', opts.draftsOf)])
        : eb('status', '<>', 'draft'),
    )
    .orderBy(sql`coalesce(started_at, created_at)`)
    .orderBy('id')
    .execute();
  return rows.map(asStored);
}

/** Puts a motion's qualifying amendments on the ballot with it. */
export async function markAmendmentsScheduled(db: Queryable, ids: string[], ballotId: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('proposals')
    .set({ status: 'scheduled', ballot_id: ballotId, scheduled_at: sql<Date>`now()` })
    .where('id', 'in', ids)
    .execute();
}

export async function markScheduled(db: Queryable, id: string, ballotId: string): Promise<void> {
  await db
    .updateTable('proposals')
    .set({ status: 'scheduled', ballot_id: ballotId, scheduled_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** The proposals scheduled into a ballot, whose wording its edits must keep. */
export async function listScheduledOn(db: Queryable, ballotId: string): Promise<ProposalRow[]> {
  return db
    .selectFrom('proposals')
    .select(proposalColumns)
    .where('ballot_id', '=', ballotId)
    .where('status', '=', 'scheduled')
    .where('kind', 'in', ['motion', 'question'])
    .execute();
}

/**
 * The members' cases against the office's questions of a ballot (started ones, or also one
 * member's drafts), oldest first.
 */
export async function listCasesOnBallot(
  db: Queryable,
  ballotId: string,
  opts: { draftsOf?: string } = {},
): Promise<ProposalRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .select(proposalColumns)
    .where('question_ballot_id', '=', ballotId)
    .where('kind', '=', 'against')
    .where((eb) =>
      opts.draftsOf
        ? eb.or([eb('status', '<>', 'draft'), eb('proposer_member_id', '=', opts.draftsOf)])
        : eb('status', '<>', 'draft'),
    )
    .orderBy(sql`coalesce(started_at, created_at)`)
    .orderBy('id')
    .execute();
  return rows.map(asStored);
}

/** Every case against (drafts too) that answers one of these ballots' questions, with the question's title now. */
export async function listCasesWithTitles(
  db: Queryable,
  ballotId: string,
): Promise<Array<{ id: string; questionId: string; title: string; status: ProposalStatus }>> {
  return db
    .selectFrom('proposals')
    .innerJoin('questions', 'questions.id', 'proposals.question_id')
    .select(['proposals.id', 'proposals.question_id as questionId', 'questions.title', 'proposals.status'])
    .where('proposals.question_ballot_id', '=', ballotId)
    .execute() as Promise<Array<{ id: string; questionId: string; title: string; status: ProposalStatus }>>;
}

/** A case against follows its question through an edit of the draft (which writes the questions anew). */
export async function moveCaseToQuestion(db: Queryable, id: string, questionId: string | null): Promise<void> {
  await db.updateTable('proposals').set({ question_id: questionId }).where('id', '=', id).execute();
}

/** A branch's name (the branch that tabled an amendment). */
export async function branchName(db: Queryable, branchId: string): Promise<string | undefined> {
  const row = await db.selectFrom('branches').select('name').where('id', '=', branchId).executeTakeFirst();
  return row?.name;
}

/* Lapsing and turning overdue, as events the scheduler marks once (0044). */

type Proposals = ExpressionBuilder<Database, 'proposals'>;
/** Gathering, its window closed, not yet marked lapsed: one definition for the list and the mark. */
const lapseDue = (eb: Proposals) =>
  eb.and([eb('status', '=', 'gathering'), eb('lapsed_at', 'is', null), eb('closes_at', '<=', sql<Date>`now()`)]);
/** Qualified (or scheduled onto a draft since deleted), past its date, not yet marked overdue. */
const overdueDue = (eb: Proposals) =>
  eb.and([
    eb.or([eb('status', '=', 'qualified'), eb.and([eb('status', '=', 'scheduled'), eb('ballot_id', 'is', null)])]),
    eb('overdue_at', 'is', null),
    eb('schedule_by', '<=', sql<Date>`now()`),
  ]);

/** Proposals whose window has closed short of support and are not yet marked lapsed. */
export async function listLapseDue(db: Queryable): Promise<string[]> {
  const rows = await db.selectFrom('proposals').select('id').where(lapseDue).orderBy('closes_at').execute();
  return rows.map((r) => r.id);
}

/**
 * Marks a proposal lapsed, if it still is due: the update takes the row's lock, so of
 * several processes (or a signature racing the window's end) only one finds it due.
 */
export async function markLapsed(db: Queryable, id: string): Promise<ProposalRow | undefined> {
  const row = await db
    .updateTable('proposals')
    .set({ lapsed_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where(lapseDue)
    .returning(proposalColumns)
    .executeTakeFirst();
  return row && asStored(row);
}

/** Qualified proposals past their date, not on a ballot (or their draft deleted) and not yet marked overdue. */
export async function listOverdueDue(db: Queryable): Promise<string[]> {
  const rows = await db.selectFrom('proposals').select('id').where(overdueDue).orderBy('schedule_by').execute();
  return rows.map((r) => r.id);
}

/** Marks a qualified proposal overdue, if it still is due (once, as `markLapsed`). */
export async function markOverdue(db: Queryable, id: string): Promise<ProposalRow | undefined> {
  const row = await db
    .updateTable('proposals')
    .set({ overdue_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where(overdueDue)
    .returning(proposalColumns)
    .executeTakeFirst();
  return row && asStored(row);
}

/* Signatures: a keyed hash of (proposal, member) and the branch; nothing else. */

/** Adds a signature; false if this signer has signed already. */
export async function insertSignature(
  db: Queryable,
  s: { proposalId: string; signer: Buffer; branchId: string },
): Promise<boolean> {
  const row = await db
    .insertInto('proposal_signatures')
    .values({ proposal_id: s.proposalId, signer: s.signer, branch_id: s.branchId })
    .onConflict((c) => c.columns(['proposal_id', 'signer']).doNothing())
    .returning('proposal_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of these signers have signed which proposals (for a member's own page). */
export async function findSigned(db: Queryable, signers: Buffer[]): Promise<Set<string>> {
  if (signers.length === 0) return new Set();
  const rows = await db
    .selectFrom('proposal_signatures')
    .select(sql<string>`encode(signer, 'hex')`.as('signer'))
    .where('signer', 'in', signers)
    .execute();
  return new Set(rows.map((r) => r.signer));
}

/** Supporters per branch: every branch of the organisation, those without supporters at 0. */
export async function supportByBranch(
  db: Queryable,
  organisationId: string,
  proposalId: string,
): Promise<Array<{ branch: string; supporters: number }>> {
  const rows = await db
    .selectFrom('branches')
    .leftJoin('proposal_signatures', (j) =>
      j
        .onRef('proposal_signatures.branch_id', '=', 'branches.id')
        .on('proposal_signatures.proposal_id', '=', proposalId),
    )
    .select(['branches.name as branch', (eb) => eb.fn.count<number>('proposal_signatures.signer').as('supporters')])
    .where('branches.organisation_id', '=', organisationId)
    .groupBy('branches.name')
    .orderBy('branches.name')
    .execute();
  return rows.map((r) => ({ branch: r.branch, supporters: Number(r.supporters) }));
}

/* The case for and the case against. */

/** The proposers' case for (only the service decides who may). */
export async function setCaseFor(db: Queryable, proposalId: string, text: string): Promise<void> {
  await db.updateTable('proposals').set({ case_for: text }).where('id', '=', proposalId).execute();
}

export type StatementRow = {
  questionId: string;
  side: 'for' | 'against';
  text: string;
  author: 'office' | 'proposers' | 'members';
};

/** The office's statements on a ballot's questions, with each question's title (to keep them across edits). */
export async function listStatements(
  db: Queryable,
  ballotId: string,
): Promise<Array<StatementRow & { title: string }>> {
  return db
    .selectFrom('question_statements')
    .innerJoin('questions', 'questions.id', 'question_statements.question_id')
    .select([
      'question_statements.question_id as questionId',
      'question_statements.side',
      'question_statements.text',
      'question_statements.author',
      'questions.title',
    ])
    .where('questions.ballot_id', '=', ballotId)
    .execute();
}

export async function putStatement(db: Queryable, s: StatementRow): Promise<void> {
  await db
    .insertInto('question_statements')
    .values({ question_id: s.questionId, side: s.side, text: s.text, author: s.author, proposal_id: null })
    .onConflict((c) => c.columns(['question_id', 'side']).doUpdateSet({ text: s.text, author: s.author }))
    .execute();
}

export async function deleteStatement(db: Queryable, questionId: string, side: 'for' | 'against'): Promise<void> {
  await db.deleteFrom('question_statements').where('question_id', '=', questionId).where('side', '=', side).execute();
}

/* The support a proposal qualified with (0042), for the election record. */

/** Keeps the support at the qualifying signature, per branch pooled under k; the table's trigger fixes it once kept. */
export async function keepQualifiedSupport(db: Queryable, id: string, support: QualifiedSupport): Promise<void> {
  await db
    .updateTable('proposals')
    .set({ qualified_support: JSON.stringify(support) })
    .where('id', '=', id)
    .execute();
}

/** The support each of these proposals qualified with (absent: none kept, it qualified before 0042 or has not). */
export async function qualifiedSupportOf(db: Queryable, ids: string[]): Promise<Map<string, QualifiedSupport>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('proposals')
    .select(['id', 'qualified_support as support'])
    .where('id', 'in', ids)
    .where('qualified_support', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.id, r.support as QualifiedSupport]));
}

import crypto from 'node:crypto';
import * as ballots from '../data/ballots';
import * as orgs from '../data/organisations';
import type { Principal } from '../data/organisations';
import * as outbox from '../data/outbox';
import * as positionsData from '../data/positions';
import * as nominationsData from '../data/nominations';
import * as data from '../data/proposals';
import type { LinkMember, ProposalRow } from '../data/proposals';
import * as roll from '../data/roll';
import type { Queryable, Tx } from '../db/database';
import {
  type BallotInput,
  methodRefused,
  type Question,
  questionInputSchema,
  YES_NO_OPTIONS,
} from '@omov/core/domain/ballot';
import { allows } from '@omov/core/domain/lifecycle';
import { type Eligibility, eligibilityInWords } from '@omov/core/domain/eligibility';
import {
  AMENDMENT_TEXT_MAX,
  type AmendmentInput,
  CASE_AGAINST_TITLE,
  type ProposalInput,
  type ProposalKind,
  type ProposalRules,
  VARIANT_WORDS,
  type ProposalStage,
  publicSupport,
  type StatementSide,
  qualifies,
  stageOf,
  thresholdOf,
} from '@omov/core/domain/proposals';
import { formatTime } from '@omov/core/domain/zones';
import { agendaIssue, type AgendaSettings, MAX_AGENDA_AMENDMENTS, unionOfVersions } from '@omov/core/domain/amendments';
import { pooledSupport } from '@omov/core/record/proposals';
import { hashSecret, newSecret, SECRET_PATTERN } from '../platform/secrets';
import { actorOf, requireBallotVisible, requireOrganiser, requireRollVisible, requireState } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { conflict, invalid, notFound, ServiceError } from './errors';
import { linkSecretary } from './positions';
import { consume } from './rate-limits';

/**
 * Member proposals (docs/proposals.md). A member drafts a motion or a question from their
 * personal proposals link, starts it, and other members sign it from theirs, once each. It
 * qualifies by itself when its support reaches the threshold fixed when it started (the
 * rules then in force, the roll then). The office can only schedule it into a draft ballot,
 * word for word: it cannot reword it nor withdraw it, and its attempts are logged.
 */

export const PROPOSAL_LINK_PURPOSE = 'proposal-link';
/** How long a proposals link works. */
export const PROPOSAL_LINK_DAYS = 90;

const WORDING_FIXED = "the office cannot reword a member's proposal: its wording is the proposers' own";
const NOT_WITHDRAWN =
  "the office cannot withdraw a member's proposal: it stands until its window closes or a ballot decides it";
const NO_RULES = 'the organisation has not set its rules for proposals yet';
const LINK_GONE = 'this proposals link is not valid or has expired: ask for a new one';

/** SHA-256 of a proposal's wording as the audit log holds it, so that any later change shows. */
export function wordingHash(p: Pick<ProposalRow, 'kind' | 'title' | 'text' | 'options'>): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([p.kind, p.title, p.text, p.options]), 'utf8')
    .digest('hex');
}

/**
 * A signature's signer: a keyed hash of proposal and member. The same member on the same
 * proposal gives the same value (so "once each" holds), but the table names no member, and
 * the values of one member on two proposals do not match.
 */
function signerOf(ctx: AppContext, proposalId: string, memberId: string): Buffer {
  return Buffer.from(ctx.keys.mac('proposal-signer', `${proposalId}:${memberId}`), 'base64url');
}

/* The rules. */

export async function getRules(ctx: AppContext, p: Principal) {
  requireRollVisible(p);
  const history = await data.listRules(ctx.db, p.organisationId);
  return { inForce: history[0] ?? null, history };
}

/** New rules, in force from now for proposals started from now; every change is in the audit log. */
export async function setRules(ctx: AppContext, p: Principal, rules: ProposalRules) {
  requireOrganiser(p);
  return ctx.db.transaction().execute(async (tx) => {
    const [before] = await data.listRules(tx, p.organisationId);
    const after = await data.insertRules(tx, p.organisationId, rules, actorOf(p));
    await record(tx, p, 'proposal-rules.set', after.id, { before: before ?? null, after: rules });
    return after;
  });
}

/* Links. */

/** Mails a member a new proposals link (the same link nominates in elections: services/nominations.ts). */
export async function issueLink(
  ctx: AppContext,
  tx: Tx,
  m: { id: string; organisationId: string; organisationName: string; name: string; email: string },
  mail: { kind: 'proposal-link' | 'amendments-open' | 'nominations-open'; payload?: Record<string, string> } = {
    kind: 'proposal-link',
  },
) {
  const token = newSecret();
  await data.insertLink(tx, {
    tokenHash: hashSecret(token),
    organisationId: m.organisationId,
    memberId: m.id,
    days: PROPOSAL_LINK_DAYS,
  });
  await outbox.enqueue(tx, [
    {
      organisationId: m.organisationId,
      ballotId: null,
      memberId: m.id,
      kind: mail.kind,
      recipient: m.email,
      payload: {
        ...mail.payload,
        organisationName: m.organisationName,
        name: m.name,
        days: String(PROPOSAL_LINK_DAYS),
      },
      sealedSecret: ctx.keys.seal(PROPOSAL_LINK_PURPOSE, token),
    },
  ]);
}

/**
 * A member asks for their proposals link by email. The answer never depends on whether the
 * address is on a roll: the work happens after the caller has been answered.
 */
export async function requestProposalLink(ctx: AppContext, email: string, address: string): Promise<void> {
  await consume(ctx, 'linkRequestPerAddress', address);
  await consume(ctx, 'linkRequestPerEmail', email);
  setImmediate(() => {
    void (async () => {
      for (const m of await data.findMembersByEmail(ctx.db, email))
        await ctx.db.transaction().execute((tx) => issueLink(ctx, tx, m));
      ctx.mailQueued();
    })().catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'proposals link request failed'));
  });
}

/** The organisation mails every current member their own proposals link. */
export async function sendProposalLinks(ctx: AppContext, p: Principal): Promise<{ queued: number }> {
  requireOrganiser(p);
  const queued = await ctx.db.transaction().execute(async (tx) => {
    const org = await orgs.findOrganisation(tx, p.organisationId);
    const members = await roll.listEligibleMembers(tx, p.organisationId, null);
    for (const m of members)
      await issueLink(ctx, tx, { ...m, organisationId: p.organisationId, organisationName: org?.name ?? '' });
    await record(tx, p, 'proposal-links.send', null, { members: members.length });
    return members.length;
  });
  ctx.mailQueued();
  return { queued };
}

/** The member a link belongs to; an unknown link counts against the caller's address, like a voting link. */
export async function linkMember(ctx: AppContext, token: string, address: string): Promise<LinkMember> {
  const m = SECRET_PATTERN.test(token) ? await data.findLinkMember(ctx.db, hashSecret(token)) : undefined;
  if (!m) {
    await consume(ctx, 'badLinkPerAddress', address);
    throw new ServiceError('not-found', LINK_GONE);
  }
  return m;
}

/* What members and the public see. */

export type ProposalView = {
  id: string;
  kind: ProposalKind;
  /** The motion an amendment amends. */
  parentId: string | null;
  /** On a qualified motion under rules that take amendments: when its amendment period closes. */
  amendmentsCloseAt: Date | null;
  /** Whether members may table amendments to it now. */
  amendmentsOpen: boolean;
  title: string;
  text: string;
  options: string[] | null;
  stage: ProposalStage;
  startedAt: Date | null;
  closesAt: Date | null;
  qualifiedAt: Date | null;
  scheduleBy: Date | null;
  ballotId: string | null;
  /** What it needs, fixed when it started; null before. */
  needs: { supporters: number | null; branches: number | null; combine: 'either' | 'both' } | null;
  supporters: number;
  branches: number;
  /** The proposers' case for, shown beside the question on the ballot. */
  caseFor: string | null;
  /** The branch that tabled an amendment through its secretary (null: a member tabled it). */
  tabledBy: string | null;
  /** An amendment to a question: the question's own wording, which its page compares it with (null otherwise). */
  amends: { title: string; text: string; options: string[] } | null;
  /** A proposal's members' case against: the first that qualified, which the ballot shows (null: none yet). */
  caseAgainst: { id: string; text: string; qualifiedAt: Date } | null;
  /** Whether members may write (start, sign) a case against this proposal now. */
  caseAgainstOpen: boolean;
  /**
   * A case against a question the office put on a draft ballot: that ballot and question
   * (`questionId` and `title` null once the question left the draft; `ballotId` null once the
   * draft was deleted). Null for every other proposal.
   */
  question: {
    ballotId: string | null;
    ballotTitle: string | null;
    questionId: string | null;
    title: string | null;
  } | null;
  /** Branches with fewer supporters than this are pooled. */
  k: number;
  /** Per branch, branches under k pooled. */
  byBranch: Array<{ name: string; supporters: number; pooled: boolean }>;
  rules: { id: string; setAt: Date };
};

/** The question an amendment with options amends, as worded. */
async function amendedQuestion(db: Queryable, p: ProposalRow): Promise<ProposalView['amends']> {
  if (p.kind !== 'amendment' || !p.options || !p.parentId) return null;
  const q = await data.findProposal(db, p.parentId);
  return q?.options ? { title: q.title, text: q.text, options: q.options } : null;
}

async function viewOf(db: Queryable, p: ProposalRow, now: Date): Promise<ProposalView> {
  const [counts, rules, against] = await Promise.all([
    data.supportByBranch(db, p.organisationId, p.id),
    data.findRules(db, p.rulesId),
    caseAgainstOf(db, p),
  ]);
  return {
    id: p.id,
    kind: p.kind,
    parentId: p.parentId,
    amendmentsCloseAt: p.amendmentsCloseAt,
    amendmentsOpen: amendmentsOpen(p, now),
    title: p.title,
    text: p.text,
    options: p.options,
    stage: stageOf(p, now),
    startedAt: p.startedAt,
    closesAt: p.closesAt,
    qualifiedAt: p.qualifiedAt,
    scheduleBy: p.scheduleBy,
    ballotId: p.ballotId,
    needs:
      p.status === 'draft'
        ? null
        : { supporters: p.supportersNeeded, branches: p.branchesNeeded, combine: rules?.combine ?? 'either' },
    supporters: counts.reduce((n, c) => n + c.supporters, 0),
    branches: counts.filter((c) => c.supporters > 0).length,
    caseFor: p.caseFor,
    tabledBy: p.branchId ? ((await data.branchName(db, p.branchId)) ?? null) : null,
    amends: await amendedQuestion(db, p),
    caseAgainst: against.qualified
      ? { id: against.qualified.id, text: against.qualified.text, qualifiedAt: against.qualified.qualifiedAt! }
      : null,
    caseAgainstOpen: against.closed === null,
    question: await answeredQuestion(db, p),
    k: rules?.k ?? 1,
    byBranch: publicSupport(
      counts.filter((c) => c.supporters > 0),
      rules?.k ?? 1,
    ),
    rules: { id: p.rulesId, setAt: rules?.setAt ?? new Date(0) },
  };
}

/** A started proposal, for anyone: no drafts, no names. */
export async function publicProposal(
  ctx: AppContext,
  id: string,
): Promise<ProposalView & { organisationId: string; organisationName: string }> {
  const p = await data.findProposal(ctx.db, id);
  if (!p || p.status === 'draft') throw notFound('proposal');
  const org = await orgs.findOrganisation(ctx.db, p.organisationId);
  return {
    ...(await viewOf(ctx.db, p, await ballots.databaseNow(ctx.db))),
    organisationId: p.organisationId,
    organisationName: org?.name ?? '',
  };
}

/** The organisation's started proposals, for anyone. */
export async function publicProposals(ctx: AppContext, organisationId: string) {
  const org = await orgs.findOrganisation(ctx.db, organisationId);
  if (!org) throw notFound('organisation');
  const now = await ballots.databaseNow(ctx.db);
  const list = await data.listProposals(ctx.db, organisationId);
  return { organisationName: org.name, proposals: await Promise.all(list.map((p) => viewOf(ctx.db, p, now))) };
}

/** Staff see what the public sees (drafts are the members' own). */
export async function staffProposals(ctx: AppContext, p: Principal) {
  requireRollVisible(p);
  return (await publicProposals(ctx, p.organisationId)).proposals;
}

export type MemberPage = {
  member: Pick<LinkMember, 'name' | 'branch' | 'organisationName' | 'organisationId'>;
  rules: ProposalRules | null;
  /** `outside`: why the member may not support it (a case against a question of a ballot they may not vote on). */
  proposals: Array<ProposalView & { signed: boolean; mine: boolean; outside: string | null }>;
  /** The office's own questions on the organisation's draft ballots, which members may answer with a case against. */
  questions: OfficeQuestionView[];
};

/** A member's own proposals page: every started proposal (signed by them or not) and their drafts. */
export async function memberPage(ctx: AppContext, token: string, address: string): Promise<MemberPage> {
  const m = await linkMember(ctx, token, address);
  const [list, rules, now] = await Promise.all([
    data.listProposals(ctx.db, m.organisationId, { draftsOf: m.memberId }),
    data.listRules(ctx.db, m.organisationId),
    ballots.databaseNow(ctx.db),
  ]);
  const signers = list.map((p) => signerOf(ctx, p.id, m.memberId));
  const signed = await data.findSigned(ctx.db, signers);
  return {
    member: { name: m.name, branch: m.branch, organisationName: m.organisationName, organisationId: m.organisationId },
    rules: rules[0] ?? null,
    questions: await draftQuestions(ctx.db, m),
    proposals: await Promise.all(
      list.map(async (p, i) => ({
        ...(await viewOf(ctx.db, p, now)),
        signed: signed.has(signers[i]!.toString('hex')),
        mine: p.proposerMemberId === m.memberId,
        outside: await outsideElectorate(ctx.db, p, m.memberId),
      })),
    ),
  };
}

/** Locks a proposal the member may see: a started one of their organisation, or their own draft. */
async function lockVisible(tx: Tx, m: LinkMember, id: string): Promise<ProposalRow> {
  const p = await data.lockProposal(tx, id);
  if (!p || p.organisationId !== m.organisationId || (p.status === 'draft' && p.proposerMemberId !== m.memberId))
    throw notFound('proposal');
  return p;
}

/** One proposal as the member's page shows it (signed by them or not, theirs or not). */
async function memberView(ctx: AppContext, token: string, address: string, id: string) {
  return (await memberPage(ctx, token, address)).proposals.find((x) => x.id === id)!;
}

/** Whether members may table amendments to this proposal now: a qualified motion or question within its amendment period. */
function amendmentsOpen(p: ProposalRow, now: Date): boolean {
  return takesAmendments(p) && p.status === 'qualified' && p.amendmentsCloseAt !== null && now < p.amendmentsCloseAt;
}

/**
 * The proposals that take amendments: a motion (its text replaced) and a question (its
 * options replaced) whose own text and options fit one option's description on the version
 * question (2,000 characters), as each version goes there word for word.
 */
const takesAmendments = (p: Pick<ProposalRow, 'kind' | 'text' | 'options'>) =>
  p.kind === 'motion' ||
  (p.kind === 'question' && VARIANT_WORDS.versionOptions(p.text, p.options ?? []).length <= AMENDMENT_TEXT_MAX);

/**
 * An amendment's options, as its parent asks: a question's amendment replaces its whole
 * option list (and must change the question), a motion's has none. Each version goes on
 * the version question as an option whose description is its text and options, so it
 * must fit there (2,000 characters). Refused with the field named (422).
 */
function amendmentOptions(parent: ProposalRow, input: AmendmentInput): string[] | null {
  if (parent.kind !== 'question') {
    if (input.options)
      throw invalid('an amendment to a motion replaces its text, and has no options', [
        { path: 'options', message: 'a motion has no options to amend: leave them out' },
      ]);
    return null;
  }
  if (!input.options)
    throw invalid("an amendment to a question gives the question's whole option list as amended", [
      { path: 'options', message: 'give the options of the question as amended (at least two)' },
    ]);
  if (input.text === parent.text && JSON.stringify(input.options) === JSON.stringify(parent.options))
    throw invalid('the amendment must change the question', [
      { path: 'options', message: 'the options and the text are the question’s own: change at least one' },
    ]);
  if (VARIANT_WORDS.versionOptions(input.text, input.options).length > AMENDMENT_TEXT_MAX)
    throw invalid('the amendment is too long for the ballot', [
      {
        path: 'text',
        message: `the text and the options together must be at most ${AMENDMENT_TEXT_MAX} characters, as they go word for word on the ballot`,
      },
    ]);
  return input.options;
}

/**
 * A proposal's members' cases against: the first that qualified (the one the ballot shows),
 * and why no case against may be written, started or signed now (null: it may). Members may
 * answer a started motion or question that has not lapsed, until a case against qualifies or
 * the ballot it is on opens.
 */
export async function caseAgainstOf(
  db: Queryable,
  p: ProposalRow,
): Promise<{ qualified: ProposalRow | undefined; closed: string | null }> {
  if (p.kind !== 'motion' && p.kind !== 'question')
    return { qualified: undefined, closed: 'only a proposal takes a case against' };
  const qualified = (await data.listAmendments(db, p.id, { kind: 'against' }))
    .filter((a) => a.qualifiedAt !== null)
    .sort((a, b) => a.qualifiedAt!.getTime() - b.qualifiedAt!.getTime() || a.id.localeCompare(b.id))[0];
  if (qualified)
    return {
      qualified,
      closed: 'members have already written the case against this proposal: the first to gather the support stands',
    };
  if (p.status === 'draft') return { qualified, closed: 'the proposal has not started' };
  const now = await ballots.databaseNow(db);
  if (stageOf(p, now) === 'lapsed') return { qualified, closed: 'the proposal has lapsed' };
  const b = p.ballotId ? await ballots.findBallotById(db, p.ballotId) : undefined;
  if (b && !allows(b.status, 'edit'))
    return { qualified, closed: 'the ballot this proposal is on has opened: its statements are fixed' };
  return { qualified, closed: null };
}

/* The members' case against a question the office put on a draft ballot. */

export type OfficeQuestionView = {
  ballotId: string;
  ballotTitle: string;
  questionId: string;
  title: string;
  description: string;
  options: string[];
  /** The members' case against it that qualified first, which the ballot shows (null: none yet). */
  caseAgainst: { id: string; text: string; qualifiedAt: Date } | null;
  /** Whether members may write (start, sign) a case against it now. */
  caseAgainstOpen: boolean;
};

/**
 * The office's own questions among a ballot's: not a member proposal's (its case against is
 * written under the proposal) nor an election's (its candidates write their own statements).
 */
async function officeQuestionsOf(db: Queryable, ballotId: string, questions: Question[]): Promise<Question[]> {
  const [scheduled, elections] = await Promise.all([
    data.listScheduledOn(db, ballotId),
    nominationsData.listElectionsOn(db, ballotId),
  ]);
  return questions.filter(
    (q) =>
      !scheduled.some((p) => questionFrom([q], p) || agendaQuestionFrom([q], p)) &&
      !elections.some((e) => e.title === q.title),
  );
}

/** The first of these cases against to qualify: the one that stands. */
const firstQualified = (cases: ProposalRow[]) =>
  cases
    .filter((c) => c.qualifiedAt !== null)
    .sort((a, b) => a.qualifiedAt!.getTime() - b.qualifiedAt!.getTime() || a.id.localeCompare(b.id))[0];

/**
 * A question's members' case against: the first that qualified, and why no case against it
 * may be written, started or signed now (null: it may). Members may answer an office
 * question of a draft ballot, until a case against it qualifies or the ballot opens.
 */
async function questionCaseOf(
  db: Queryable,
  ballotId: string | null,
  questionId: string | null,
): Promise<{ qualified: ProposalRow | undefined; closed: string | null }> {
  if (!ballotId) return { qualified: undefined, closed: 'the draft ballot whose question it answered was deleted' };
  const qualified = questionId
    ? firstQualified((await data.listCasesOnBallot(db, ballotId)).filter((c) => c.questionId === questionId))
    : undefined;
  if (qualified)
    return {
      qualified,
      closed: 'members have already written the case against this question: the first to gather the support stands',
    };
  const b = await ballots.findBallotById(db, ballotId);
  if (b && !allows(b.status, 'edit'))
    return { qualified, closed: 'the ballot this question is on has opened: its statements are fixed' };
  const q = questionId ? (await ballots.listQuestions(db, ballotId)).find((x) => x.id === questionId) : undefined;
  if (!q) return { qualified, closed: 'the question it answers is no longer on its draft ballot' };
  if ((await officeQuestionsOf(db, ballotId, [q])).length === 0)
    return {
      qualified,
      closed: "this question is a member proposal's or an election's: a proposal's case against is written under it",
    };
  return { qualified, closed: null };
}

/** Why a case against may not be started or signed now (null: it may), whatever it answers. */
async function caseClosed(tx: Tx, c: ProposalRow): Promise<string | null> {
  if (c.parentId) return (await caseAgainstOf(tx, (await data.lockProposal(tx, c.parentId))!)).closed;
  return (await questionCaseOf(tx, c.questionBallotId, c.questionId)).closed;
}

/** What a case against an office question answers, as its pages show it. */
async function answeredQuestion(db: Queryable, p: ProposalRow): Promise<ProposalView['question']> {
  if (p.kind !== 'against' || p.parentId) return null;
  const b = p.questionBallotId ? await ballots.findBallotById(db, p.questionBallotId) : undefined;
  const q = b && p.questionId ? (await ballots.listQuestions(db, b.id)).find((x) => x.id === p.questionId) : undefined;
  return { ballotId: b?.id ?? null, ballotTitle: b?.title ?? null, questionId: q?.id ?? null, title: q?.title ?? null };
}

/**
 * Why a member may not write or support a case against a ballot's question (null: they may).
 * A statement speaks to those who vote on the question, so only members the ballot's
 * eligibility rule includes answer it; the rule is applied by the roll's one query.
 */
async function notEligible(
  db: Queryable,
  b: { organisationId: string; title: string; eligibility: Eligibility | null },
  memberId: string,
): Promise<string | null> {
  if ((await roll.listEligibleMembers(db, b.organisationId, b.eligibility, { memberId })).length) return null;
  return `only ${eligibilityInWords(b.eligibility)} may vote on the ballot “${b.title}”, so only they may write or support a case against its questions, and you are not among them`;
}

/** Why a member may not support this case against an office question (null: they may, or it is no such case). */
async function outsideElectorate(db: Queryable, c: ProposalRow, memberId: string): Promise<string | null> {
  if (c.kind !== 'against' || !c.questionBallotId) return null;
  const b = await ballots.findBallotById(db, c.questionBallotId);
  return b ? notEligible(db, b, memberId) : null;
}

/** Refuses (403) a member the ballot a case against answers does not include. */
async function requireEligible(db: Queryable, c: ProposalRow, memberId: string): Promise<void> {
  const why = await outsideElectorate(db, c, memberId);
  if (why) throw new ServiceError('forbidden', why);
}

/** The office's own questions on the organisation's draft ballots that this member may vote on, for them to answer. */
async function draftQuestions(db: Queryable, m: LinkMember): Promise<OfficeQuestionView[]> {
  const out: OfficeQuestionView[] = [];
  for (const b of (await ballots.listBallots(db, m.organisationId)).filter((x) => allows(x.status, 'edit'))) {
    if (await notEligible(db, b, m.memberId)) continue;
    const questions = await officeQuestionsOf(db, b.id, await ballots.listQuestions(db, b.id));
    const cases = await data.listCasesOnBallot(db, b.id);
    for (const q of questions) {
      const qualified = firstQualified(cases.filter((c) => c.questionId === q.id));
      out.push({
        ballotId: b.id,
        ballotTitle: b.title,
        questionId: q.id,
        title: q.title,
        description: q.description,
        options: q.options.map((o) => o.label),
        caseAgainst: qualified ? { id: qualified.id, text: qualified.text, qualifiedAt: qualified.qualifiedAt! } : null,
        caseAgainstOpen: !qualified,
      });
    }
  }
  return out;
}

/** The office's own questions on draft ballots, as a member's page lists them (the members' JSON API). */
export async function memberQuestions(ctx: AppContext, token: string, address: string): Promise<OfficeQuestionView[]> {
  const m = await linkMember(ctx, token, address);
  return draftQuestions(ctx.db, m);
}

/**
 * A member drafts a case against a question the office put on a draft ballot. It refers to
 * the question by its ballot and its id; started and signed as a proposal, by the rules in
 * force and the same threshold; the first to qualify is the question's case against on the
 * ballot, in place of any the office wrote.
 */
export async function draftCaseAgainstQuestion(
  ctx: AppContext,
  token: string,
  address: string,
  ballotId: string,
  questionId: string,
  text: string,
): Promise<{ id: string }> {
  const m = await linkMember(ctx, token, address);
  const b = await ballots.findBallotById(ctx.db, ballotId);
  // A member sees the organisation's draft ballots only through their questions: an open one is as good as unknown here.
  if (!b || b.organisationId !== m.organisationId) throw notFound('ballot');
  if (!(await ballots.listQuestions(ctx.db, ballotId)).some((q) => q.id === questionId)) throw notFound('question');
  const why = await notEligible(ctx.db, b, m.memberId);
  if (why) throw new ServiceError('forbidden', why);
  const { closed } = await questionCaseOf(ctx.db, ballotId, questionId);
  if (closed) throw conflict(closed);
  return {
    id: await insertDraft(ctx, m, {
      kind: 'against',
      title: CASE_AGAINST_TITLE,
      text,
      options: null,
      question: { ballotId, questionId },
    }),
  };
}

/** A member's draft (proposal, amendment or case against) under the rules in force now; refused if there are none. */
async function insertDraft(
  ctx: AppContext,
  m: LinkMember,
  draft: Omit<Parameters<typeof data.insertProposal>[1], 'organisationId' | 'rulesId' | 'proposerMemberId'>,
): Promise<string> {
  const [rules] = await data.listRules(ctx.db, m.organisationId);
  if (!rules) throw conflict(NO_RULES);
  return data.insertProposal(ctx.db, {
    ...draft,
    organisationId: m.organisationId,
    rulesId: rules.id,
    proposerMemberId: m.memberId,
  });
}

/** A draft question, compared word for word: its title, description, method and options. */
const wordForWord = (q: {
  title: string;
  description?: string | null;
  method: string;
  options?: ReadonlyArray<{ label: string; description?: string | null }> | null;
}) =>
  JSON.stringify([
    q.title,
    q.description ?? '',
    q.method,
    (q.options ?? YES_NO_OPTIONS).map((o) => [o.label, o.description ?? '']),
  ]);

/** The qualified members' cases against this ballot's questions that an edit would drop or change. */
async function casesDropped(
  db: Queryable,
  organisationId: string,
  ballotId: string,
  input: BallotInput | null,
): Promise<Array<{ caseId: string; question: string; asked: 'removed' | 'changed' | 'ballot deleted' }>> {
  const stood = (await data.listCasesOnBallot(db, ballotId)).filter(
    (c) => c.organisationId === organisationId && c.qualifiedAt !== null && c.questionId !== null,
  );
  if (stood.length === 0) return [];
  const stored = await ballots.listQuestions(db, ballotId);
  const out: Awaited<ReturnType<typeof casesDropped>> = [];
  for (const c of stood) {
    const q = stored.find((x) => x.id === c.questionId);
    if (!q) continue;
    const edited = input?.questions.find((x) => x.title === q.title);
    if (!input) out.push({ caseId: c.id, question: q.title, asked: 'ballot deleted' });
    else if (!edited) out.push({ caseId: c.id, question: q.title, asked: 'removed' });
    else if (wordForWord(edited) !== wordForWord(q)) out.push({ caseId: c.id, question: q.title, asked: 'changed' });
  }
  return out;
}

const caseKept = (question: string) =>
  `the question "${question}" carries the members' case against, which gathered the support: the office cannot remove or reword it, nor delete its ballot`;

/**
 * The office cannot silently drop a qualified members' case against: an edit of the draft
 * that removes or rewords its question, or the deletion of the draft, is refused (409) and
 * logged (`case-against.drop-refused`). Called before the edit's transaction, so that the
 * refusal's log entry stays; `inTx` checks again under the ballot's lock, without logging.
 * An edit that keeps the question word for word keeps its case (`keepCasesAgainst`).
 */
export async function requireCasesAgainstKept(
  db: Queryable,
  p: Principal,
  ballotId: string,
  input: BallotInput | null,
  opts: { inTx?: boolean } = {},
): Promise<void> {
  // A ballot past its draft is refused by its state, not here.
  const b = await ballots.findBallotById(db, ballotId);
  if (!b || !allows(b.status, 'edit')) return;
  const [d] = await casesDropped(db, p.organisationId, ballotId, input);
  if (!d) return;
  if (!opts.inTx)
    await record(db, p, 'case-against.drop-refused', d.caseId, { ballotId, question: d.question, asked: d.asked });
  throw conflict(caseKept(d.question));
}

/**
 * Cases against follow their question through an edit of the draft (the edit writes the
 * questions anew): matched by title, as the office's statements. Call before, run what it
 * returns after. A case whose question left the draft answers nothing (only one still
 * gathering can: a qualified one's question is kept, above).
 */
export async function keepCasesAgainst(tx: Tx, ballotId: string): Promise<() => Promise<void>> {
  const before = await data.listCasesWithTitles(tx, ballotId);
  return async () => {
    if (before.length === 0) return;
    const questions = await ballots.listQuestions(tx, ballotId);
    for (const c of before)
      await data.moveCaseToQuestion(tx, c.id, questions.find((q) => q.title === c.title)?.id ?? null);
  };
}

/**
 * A member drafts a case against a proposal (the proposer writes the case for, not this).
 * Started and signed as a proposal, by the rules in force and the same threshold; the first
 * to qualify is the question's case against on the ballot, in place of any the office wrote.
 */
export async function draftCaseAgainst(
  ctx: AppContext,
  token: string,
  address: string,
  parentId: string,
  text: string,
): Promise<{ id: string }> {
  const m = await linkMember(ctx, token, address);
  const parent = await data.findProposal(ctx.db, parentId);
  if (!parent || parent.organisationId !== m.organisationId || parent.status === 'draft') throw notFound('proposal');
  if (parent.proposerMemberId === m.memberId)
    throw new ServiceError(
      'forbidden',
      'the proposer writes the case for: the case against is written by other members',
    );
  const { closed } = await caseAgainstOf(ctx.db, parent);
  if (closed) throw conflict(closed);
  return {
    id: await insertDraft(ctx, m, {
      kind: 'against',
      title: CASE_AGAINST_TITLE,
      text,
      options: null,
      parentId,
    }),
  };
}

const AMENDMENTS_CLOSED =
  'amendments to this proposal are not open: only a qualified motion or question takes them, during its amendment period';
const TOO_MANY_AMENDMENTS = `a proposal takes at most ${MAX_AGENDA_AMENDMENTS} amendments, and this one has them`;

/**
 * A member drafts an amendment to a motion whose amendment period is open: a replacement of
 * its text, in full. Nothing is public until they start it; it then gathers support like a
 * proposal, by the rules in force, until its window or the motion's period ends.
 */
export async function draftAmendment(
  ctx: AppContext,
  token: string,
  address: string,
  parentId: string,
  input: AmendmentInput,
): Promise<{ id: string }> {
  const m = await linkMember(ctx, token, address);
  const parent = await data.findProposal(ctx.db, parentId);
  if (!parent || parent.organisationId !== m.organisationId || parent.status === 'draft') throw notFound('proposal');
  if (!amendmentsOpen(parent, await ballots.databaseNow(ctx.db))) throw conflict(AMENDMENTS_CLOSED);
  const options = amendmentOptions(parent, input);
  return {
    id: await insertDraft(ctx, m, {
      kind: 'amendment',
      title: input.title,
      text: input.text,
      options,
      parentId,
    }),
  };
}

/**
 * A branch tables an amendment through its secretary (their /s/ link), to a motion whose
 * amendment period is open. It starts at once, by the rules in force and the same
 * threshold as any proposal, and needs members' signatures like a member's amendment: the
 * branch is not a supporter (its meeting is no member), so it starts with none.
 */
export async function tableBranchAmendment(
  ctx: AppContext,
  token: string,
  address: string,
  motionId: string,
  input: AmendmentInput,
): Promise<ProposalView> {
  const s = await linkSecretary(ctx, token, address);
  const id = await ctx.db.transaction().execute(async (tx) => {
    const parent = await data.lockProposal(tx, motionId);
    if (!parent || parent.organisationId !== s.organisationId || parent.status === 'draft') throw notFound('proposal');
    if (!amendmentsOpen(parent, await ballots.databaseNow(tx))) throw conflict(AMENDMENTS_CLOSED);
    if ((await data.listAmendments(tx, parent.id)).length >= MAX_AGENDA_AMENDMENTS) throw conflict(TOO_MANY_AMENDMENTS);
    const options = amendmentOptions(parent, input);
    const [rules] = await data.listRules(tx, s.organisationId);
    if (!rules) throw conflict(NO_RULES);
    const id = await data.insertProposal(tx, {
      organisationId: s.organisationId,
      rulesId: rules.id,
      kind: 'amendment',
      title: input.title,
      text: input.text,
      options,
      proposerMemberId: null,
      branchId: s.branchId,
      parentId: parent.id,
    });
    const t = thresholdOf(rules, await roll.countCurrentMembers(tx, s.organisationId));
    await data.startProposal(tx, id, {
      windowDays: rules.windowDays,
      supportersNeeded: t.supporters,
      branchesNeeded: t.branches,
      closesBy: parent.amendmentsCloseAt,
    });
    const row = (await data.findProposal(tx, id))!;
    await record(tx, { system: 'branch secretary', organisationId: s.organisationId }, 'proposal.start', id, {
      title: row.title,
      wordingHash: wordingHash(row),
      rules: rules.id,
      needs: t,
      amends: parent.id,
      tabledBy: { branch: s.branch, secretary: s.name },
    });
    return id;
  });
  return viewOf(ctx.db, (await data.findProposal(ctx.db, id))!, await ballots.databaseNow(ctx.db));
}

/** For a branch secretary's page: the motions taking amendments now, and the amendments their branch tabled. */
export async function secretaryAmendments(
  ctx: AppContext,
  token: string,
  address: string,
): Promise<{ open: ProposalView[]; tabled: ProposalView[] }> {
  const s = await linkSecretary(ctx, token, address);
  const now = await ballots.databaseNow(ctx.db);
  const list = await data.listProposals(ctx.db, s.organisationId);
  const views = (rows: ProposalRow[]) => Promise.all(rows.map((p) => viewOf(ctx.db, p, now)));
  return {
    open: await views(list.filter((p) => amendmentsOpen(p, now))),
    tabled: await views(list.filter((p) => p.branchId === s.branchId)),
  };
}

/** A member drafts a proposal; nothing is public until they start it. */
export async function draftProposal(
  ctx: AppContext,
  token: string,
  address: string,
  input: ProposalInput,
): Promise<{ id: string }> {
  const m = await linkMember(ctx, token, address);
  return {
    id: await insertDraft(ctx, m, {
      kind: input.kind,
      title: input.title,
      text: input.text,
      options: input.kind === 'question' ? input.options : null,
    }),
  };
}

/**
 * The proposer starts gathering support: the rules in force now and the roll now fix its
 * threshold; the wording's hash goes into the audit log; the proposer is its first supporter.
 */
export async function startProposal(
  ctx: AppContext,
  token: string,
  address: string,
  id: string,
): Promise<ProposalView> {
  const m = await linkMember(ctx, token, address);
  await ctx.db.transaction().execute(async (tx) => {
    await lockAnsweredBallot(tx, id);
    const p = await lockVisible(tx, m, id);
    if (p.status !== 'draft') throw conflict('this proposal has already started');
    const [rules] = await data.listRules(tx, m.organisationId);
    if (!rules) throw conflict(NO_RULES);
    // An amendment starts only while its motion's period is open, and gathers support until it closes at the latest.
    const parent = p.parentId ? await data.lockProposal(tx, p.parentId) : undefined;
    const answered = await answeredQuestion(tx, p);
    if (p.kind === 'against') {
      const closed = await caseClosed(tx, p);
      if (closed) throw conflict(closed);
    } else if (parent) {
      if (!amendmentsOpen(parent, await ballots.databaseNow(tx))) throw conflict(AMENDMENTS_CLOSED);
      const tabled = (await data.listAmendments(tx, parent.id)).length;
      if (tabled >= MAX_AGENDA_AMENDMENTS) throw conflict(TOO_MANY_AMENDMENTS);
    }
    const t = thresholdOf(rules, await roll.countCurrentMembers(tx, m.organisationId));
    // Judged by the rules in force when it starts, whichever were in force when it was drafted.
    await tx.updateTable('proposals').set({ rules_id: rules.id }).where('id', '=', id).execute();
    await data.startProposal(tx, id, {
      windowDays: rules.windowDays,
      supportersNeeded: t.supporters,
      branchesNeeded: t.branches,
      closesBy: p.kind === 'amendment' ? (parent?.amendmentsCloseAt ?? null) : null,
    });
    await record(tx, { system: 'member proposal', organisationId: m.organisationId }, 'proposal.start', id, {
      title: p.title,
      wordingHash: wordingHash(p),
      rules: rules.id,
      needs: t,
      ...(parent ? { [p.kind === 'against' ? 'against' : 'amends']: parent.id } : {}),
      // A case against: its text's SHA-256 (the record's V21 finds it among the statements the ballot opened with).
      ...(p.kind === 'against' ? { textHash: textHash(p.text) } : {}),
      ...(answered
        ? { againstQuestion: { ballotId: answered.ballotId, questionId: answered.questionId, title: answered.title } }
        : {}),
    });
    await signLocked(ctx, tx, id, m);
  });
  ctx.mailQueued();
  return memberView(ctx, token, address, id);
}

/** A member signs a proposal, once. */
export async function signProposal(ctx: AppContext, token: string, address: string, id: string): Promise<ProposalView> {
  const m = await linkMember(ctx, token, address);
  await ctx.db.transaction().execute(async (tx) => {
    await lockAnsweredBallot(tx, id);
    const p = await lockVisible(tx, m, id);
    if (p.status === 'draft') throw notFound('proposal');
    await signLocked(ctx, tx, id, m);
  });
  ctx.mailQueued();
  return memberView(ctx, token, address, id);
}

/**
 * A case against an office question: its draft ballot is locked first (before the case's
 * row, in the order an edit of the draft takes them), so that two cases against one question
 * qualify in turn and none qualifies while the ballot opens.
 */
async function lockAnsweredBallot(tx: Tx, id: string): Promise<void> {
  const c = await data.findProposal(tx, id);
  if (c?.kind === 'against' && c.questionBallotId) await ballots.lockBallot(tx, c.questionBallotId, 'update');
}

/** Signs a locked proposal; qualifies it, in the same transaction, when this signature brings it to its threshold. */
async function signLocked(ctx: AppContext, tx: Tx, id: string, m: LinkMember): Promise<void> {
  const p = (await data.lockProposal(tx, id))!;
  const now = await ballots.databaseNow(tx);
  // Support after qualifying still counts (and shows), up to the end of the window.
  if (p.closesAt && now >= p.closesAt) throw conflict('this proposal’s time to gather support has ended');
  // A case against gathers support while its proposal still takes one: not once another qualified, nor once the ballot opened.
  if (p.kind === 'against' && p.status === 'gathering') {
    const closed = await caseClosed(tx, p);
    if (closed) throw conflict(closed);
  }
  await requireEligible(tx, p, m.memberId);
  const added = await data.insertSignature(tx, {
    proposalId: id,
    signer: signerOf(ctx, id, m.memberId),
    branchId: m.branchId,
  });
  if (!added) throw conflict('you have already signed this proposal');
  if (p.status !== 'gathering') return;
  const counts = await data.supportByBranch(tx, p.organisationId, id);
  const support = {
    supporters: counts.reduce((n, c) => n + c.supporters, 0),
    branches: counts.filter((c) => c.supporters > 0).length,
  };
  const rules = (await data.findRules(tx, p.rulesId))!;
  const threshold = { supporters: p.supportersNeeded, branches: p.branchesNeeded, combine: rules.combine };
  if (!qualifies(threshold, support)) return;
  // An amendment goes on the ballot with its motion; a motion under rules that take amendments opens their period.
  const amendment = p.kind === 'amendment';
  const against = p.kind === 'against';
  const amendmentDays = takesAmendments(p) ? rules.amendmentDays : null;
  await data.markQualified(tx, id, { scheduleDays: amendment || against ? null : rules.scheduleDays, amendmentDays });
  // The support per branch as it stands now, pooled under k: signatures carry no time, so it is kept here for the record.
  const pooled = pooledSupport(counts, rules.k);
  await data.keepQualifiedSupport(tx, id, pooled);
  const q = (await data.findProposal(tx, id))!;
  await record(tx, { system: 'member proposal', organisationId: p.organisationId }, 'proposal.qualify', id, {
    ...support,
    k: pooled.k,
    byBranch: pooled.byBranch,
    qualifiedAt: q.qualifiedAt!.toISOString(),
    scheduleBy: q.scheduleBy,
    ...(q.amendmentsCloseAt ? { amendmentsCloseAt: q.amendmentsCloseAt.toISOString() } : {}),
  });
  if (against) return mailCaseAgainstQualified(ctx, tx, q);
  if (amendment) return mailAmendmentQualified(ctx, tx, q);
  await mailQualified(ctx, tx, q);
  if (q.amendmentsCloseAt) await openAmendments(ctx, tx, q);
}

/** "Amendments are open": every current member is mailed, with a proposals link of their own to table or support one. */
async function openAmendments(ctx: AppContext, tx: Tx, p: ProposalRow): Promise<void> {
  const org = await orgs.findOrganisation(tx, p.organisationId);
  const members = await roll.listEligibleMembers(tx, p.organisationId, null);
  const payload = {
    title: p.title,
    closesAt: formatTime(p.amendmentsCloseAt!),
    url: `${ctx.config.publicUrl}/proposals/${p.id}`,
    ...amendmentMailWording(p.kind === 'question' ? 'question' : 'motion'),
  };
  for (const m of members)
    await issueLink(
      ctx,
      tx,
      { ...m, organisationId: p.organisationId, organisationName: org?.name ?? '' },
      { kind: 'amendments-open', payload },
    );
  await record(tx, { system: 'member proposal', organisationId: p.organisationId }, 'amendments.open', p.id, {
    closesAt: p.amendmentsCloseAt!.toISOString(),
    members: members.length,
  });
}

/** "A proposal qualifies": to the proposer and every organiser. */
async function mailQualified(ctx: AppContext, tx: Tx, p: ProposalRow): Promise<void> {
  const org = await orgs.findOrganisation(tx, p.organisationId);
  const proposer = p.proposerMemberId ? await roll.findMember(tx, p.organisationId, p.proposerMemberId) : undefined;
  const organisers = (await orgs.listStaff(tx, p.organisationId)).filter((s) => s.role === 'organiser');
  const payload = {
    organisationName: org?.name ?? '',
    title: p.title,
    scheduleBy: formatTime(p.scheduleBy!),
    url: `${ctx.config.publicUrl}/proposals/${p.id}`,
  };
  await outbox.enqueue(tx, [
    ...(proposer
      ? [
          {
            organisationId: p.organisationId,
            ballotId: null,
            memberId: proposer.id,
            kind: 'proposal-qualified',
            recipient: proposer.email,
            sealedSecret: null,
            payload: { ...payload, name: proposer.name, role: 'proposer' },
          },
        ]
      : []),
    ...organisers.map((o) => ({
      organisationId: p.organisationId,
      ballotId: null,
      memberId: null,
      kind: 'proposal-qualified',
      recipient: o.email,
      sealedSecret: null,
      payload: { ...payload, name: o.name, role: 'organiser' },
    })),
  ]);
}

/**
 * "An amendment has qualified": to its mover, the motion's proposer and the organisers, and
 * to nobody else. Its supporters cannot be mailed (a signature names no member), and every
 * member sees the amendment on the ballot, so a message to all would only add noise.
 */
async function mailAmendmentQualified(ctx: AppContext, tx: Tx, a: ProposalRow): Promise<void> {
  const motion = (await data.findProposal(tx, a.parentId!))!;
  const org = await orgs.findOrganisation(tx, a.organisationId);
  const payload = {
    organisationName: org?.name ?? '',
    title: a.title,
    motion: motion.title,
    what: motion.kind === 'question' ? 'question' : 'motion',
    url: `${ctx.config.publicUrl}/proposals/${motion.id}`,
  };
  // One message an address, the first reason given: the mover, then the motion's proposer, then the organisers.
  const to = new Map<string, { email: string; memberId: string | null; name: string; why: string }>();
  const add = (email: string, r: { memberId: string | null; name: string; why: string }) => {
    if (!to.has(email.toLowerCase())) to.set(email.toLowerCase(), { email, ...r });
  };
  const mover = a.proposerMemberId ? await roll.findMember(tx, a.organisationId, a.proposerMemberId) : undefined;
  if (mover) add(mover.email, { memberId: mover.id, name: mover.name, why: 'you tabled it' });
  // A branch's amendment: its secretary, who tabled it for the branch.
  const secretary = a.branchId
    ? (await positionsData.listSecretaries(tx, a.organisationId)).find((x) => x.branchId === a.branchId)
    : undefined;
  if (secretary)
    add(secretary.email, {
      memberId: null,
      name: secretary.name,
      why: `you tabled it for the ${secretary.branch} branch`,
    });
  const proposer = motion.proposerMemberId
    ? await roll.findMember(tx, a.organisationId, motion.proposerMemberId)
    : undefined;
  if (proposer)
    add(proposer.email, {
      memberId: proposer.id,
      name: proposer.name,
      why: `you proposed the ${motion.kind === 'question' ? 'question' : 'motion'}`,
    });
  for (const o of (await orgs.listStaff(tx, a.organisationId)).filter((s) => s.role === 'organiser'))
    add(o.email, { memberId: null, name: o.name, why: 'you organise the ballot it goes on' });
  await outbox.enqueue(
    tx,
    [...to.values()].map(({ email: recipient, ...r }) => ({
      organisationId: a.organisationId,
      ballotId: null,
      memberId: r.memberId,
      kind: 'amendment-qualified',
      recipient,
      sealedSecret: null,
      payload: { ...payload, name: r.name, why: r.why },
    })),
  );
}

/** How the amendment mails word what is amended: a motion's text, or a question's options. */
export function amendmentMailWording(what: 'motion' | 'question'): {
  what: string;
  amendmentIs: string;
  onBallot: string;
} {
  return what === 'question'
    ? {
        what: 'question',
        amendmentIs: "each amendment is a new list of the question's options (added, removed or reworded), in full",
        onBallot:
          'On the ballot, members will rank the versions of the question (as proposed and as each qualifying amendment has it), then rank the options of every version: only the options of the version adopted are counted.',
      }
    : {
        what: 'motion',
        amendmentIs: 'each amendment is a new text of the motion, in full',
        onBallot:
          'On the ballot, members will rank the motion as proposed, each qualifying amendment, and “None: the motion falls”.',
      };
}

/**
 * "A members' case against has qualified": to its writer, to the proposer of the proposal it
 * answers (if a member's) and to the organisers, one message an address, and to nobody else
 * (its supporters cannot be mailed: a signature names no member; every member reads it on
 * the ballot).
 */
async function mailCaseAgainstQualified(ctx: AppContext, tx: Tx, c: ProposalRow): Promise<void> {
  const org = await orgs.findOrganisation(tx, c.organisationId);
  const parent = c.parentId ? await data.findProposal(tx, c.parentId) : undefined;
  const answered = await answeredQuestion(tx, c);
  const answers = parent
    ? `the members' proposal "${parent.title}"`
    : `the question "${answered?.title ?? ''}" on the ballot "${answered?.ballotTitle ?? ''}"`;
  const to = new Map<string, { email: string; memberId: string | null; name: string; why: string }>();
  const add = (email: string, r: { memberId: string | null; name: string; why: string }) => {
    if (!to.has(email.toLowerCase())) to.set(email.toLowerCase(), { email, ...r });
  };
  const writer = c.proposerMemberId ? await roll.findMember(tx, c.organisationId, c.proposerMemberId) : undefined;
  if (writer) add(writer.email, { memberId: writer.id, name: writer.name, why: 'you wrote it' });
  const proposer = parent?.proposerMemberId
    ? await roll.findMember(tx, c.organisationId, parent.proposerMemberId)
    : undefined;
  if (proposer)
    add(proposer.email, { memberId: proposer.id, name: proposer.name, why: 'you proposed what it answers' });
  for (const o of (await orgs.listStaff(tx, c.organisationId)).filter((s) => s.role === 'organiser'))
    add(o.email, { memberId: null, name: o.name, why: 'you organise the ballot it goes on' });
  const payload = { organisationName: org?.name ?? '', answers, url: `${ctx.config.publicUrl}/proposals/${c.id}` };
  await outbox.enqueue(
    tx,
    [...to.values()].map(({ email: recipient, ...r }) => ({
      organisationId: c.organisationId,
      ballotId: null,
      memberId: r.memberId,
      kind: 'case-against-qualified',
      recipient,
      sealedSecret: null,
      payload: { ...payload, name: r.name, why: r.why },
    })),
  );
}

/* Lapsing and turning overdue: events the scheduler runs (docs/proposals.md). */

/** What a mail calls a proposal of any kind: "the members' proposal "…"", "the amendment "…" to …". */
async function describeProposal(db: Queryable, p: ProposalRow): Promise<string> {
  if (p.kind === 'amendment') {
    const motion = p.parentId ? await data.findProposal(db, p.parentId) : undefined;
    return `the amendment "${p.title}" to the ${motion?.kind === 'question' ? 'question' : 'motion'} "${motion?.title ?? ''}"`;
  }
  if (p.kind === 'against') {
    const parent = p.parentId ? await data.findProposal(db, p.parentId) : undefined;
    if (parent) return `the members' case against the proposal "${parent.title}"`;
    const q = await answeredQuestion(db, p);
    return `the members' case against the question "${q?.title ?? ''}" on the ballot "${q?.ballotTitle ?? ''}"`;
  }
  return `the members' proposal "${p.title}"`;
}

type Recipient = { email: string; memberId: string | null; name: string; why: string };

/** One message an address, the first reason given. */
function recipients() {
  const to = new Map<string, Recipient>();
  return {
    add(email: string, r: Omit<Recipient, 'email'>) {
      if (!to.has(email.toLowerCase())) to.set(email.toLowerCase(), { email, ...r });
    },
    list: () => [...to.values()],
  };
}

/** Its proposer (or, for a branch's amendment, the branch's secretary), then the organisers, then (`auditors`) the organisation's auditors. */
async function concerned(tx: Tx, p: ProposalRow, opts: { auditors: boolean }): Promise<Recipient[]> {
  const to = recipients();
  const proposer = p.proposerMemberId ? await roll.findMember(tx, p.organisationId, p.proposerMemberId) : undefined;
  if (proposer)
    to.add(proposer.email, {
      memberId: proposer.id,
      name: proposer.name,
      why: p.kind === 'against' ? 'you wrote it' : p.kind === 'amendment' ? 'you tabled it' : 'you proposed it',
    });
  const secretary = p.branchId
    ? (await positionsData.listSecretaries(tx, p.organisationId)).find((x) => x.branchId === p.branchId)
    : undefined;
  if (secretary)
    to.add(secretary.email, {
      memberId: null,
      name: secretary.name,
      why: `you tabled it for the ${secretary.branch} branch`,
    });
  const staff = await orgs.listStaff(tx, p.organisationId);
  for (const o of staff.filter((x) => x.role === 'organiser'))
    to.add(o.email, { memberId: null, name: o.name, why: 'you organise the organisation’s ballots' });
  // An auditor of one ballot has no view of the organisation's proposals.
  if (opts.auditors)
    for (const a of staff.filter((x) => x.role === 'auditor' && x.ballotId === null))
      to.add(a.email, { memberId: null, name: a.name, why: 'you audit the organisation’s ballots' });
  return to.list();
}

/** Mails one kind of notice about a proposal to everyone `concerned` names, each told why. */
async function mailConcerned(
  tx: Tx,
  p: ProposalRow,
  kind: 'proposal-lapsed' | 'proposal-overdue',
  payload: Record<string, string>,
  opts: { auditors: boolean },
): Promise<void> {
  await outbox.enqueue(
    tx,
    (await concerned(tx, p, opts)).map(({ email: recipient, ...r }) => ({
      organisationId: p.organisationId,
      ballotId: null,
      memberId: r.memberId,
      kind,
      recipient,
      sealedSecret: null,
      payload: { ...payload, name: r.name, why: r.why },
    })),
  );
}

/** Lapses one proposal whose window closed short of support: once, logged with its final support, mailed. */
async function lapseOne(ctx: AppContext, tx: Tx, id: string): Promise<boolean> {
  const p = await data.markLapsed(tx, id);
  if (!p) return false;
  const [counts, rules, org] = await Promise.all([
    data.supportByBranch(tx, p.organisationId, p.id),
    data.findRules(tx, p.rulesId),
    orgs.findOrganisation(tx, p.organisationId),
  ]);
  const support = {
    supporters: counts.reduce((n, c) => n + c.supporters, 0),
    branches: counts.filter((c) => c.supporters > 0).length,
  };
  const pooled = pooledSupport(counts, rules?.k ?? 1);
  await record(tx, { system: 'member proposal', organisationId: p.organisationId }, 'proposal.lapse', p.id, {
    ...support,
    k: pooled.k,
    byBranch: pooled.byBranch,
    needed: { supporters: p.supportersNeeded, branches: p.branchesNeeded, combine: rules?.combine ?? 'either' },
    closesAt: p.closesAt!.toISOString(),
    lapsedAt: p.lapsedAt!.toISOString(),
  });
  const needed = [
    p.supportersNeeded === null ? null : `${p.supportersNeeded} supporters`,
    p.branchesNeeded === null ? null : `supporters in ${p.branchesNeeded} branches`,
  ].filter((x) => x !== null);
  const payload = {
    organisationName: org?.name ?? '',
    what: await describeProposal(tx, p),
    closesAt: formatTime(p.closesAt!),
    supporters: String(support.supporters),
    branches: String(support.branches),
    needed: needed.join((rules?.combine ?? 'either') === 'both' ? ' and ' : ' or '),
    url: `${ctx.config.publicUrl}/proposals/${p.id}`,
  };
  await mailConcerned(tx, p, 'proposal-lapsed', payload, { auditors: false });
  return true;
}

/** Marks one qualified proposal overdue, not on a ballot by its date: once, logged, mailed. */
async function overdueOne(ctx: AppContext, tx: Tx, id: string): Promise<boolean> {
  const p = await data.markOverdue(tx, id);
  if (!p) return false;
  const org = await orgs.findOrganisation(tx, p.organisationId);
  await record(tx, { system: 'member proposal', organisationId: p.organisationId }, 'proposal.overdue', p.id, {
    qualifiedAt: p.qualifiedAt?.toISOString() ?? null,
    scheduleBy: p.scheduleBy!.toISOString(),
    overdueAt: p.overdueAt!.toISOString(),
  });
  const payload = {
    organisationName: org?.name ?? '',
    what: await describeProposal(tx, p),
    qualifiedAt: p.qualifiedAt ? formatTime(p.qualifiedAt) : '',
    scheduleBy: formatTime(p.scheduleBy!),
    url: `${ctx.config.publicUrl}/proposals/${p.id}`,
  };
  await mailConcerned(tx, p, 'proposal-overdue', payload, { auditors: true });
  return true;
}

/**
 * The scheduler's round: every proposal whose window closed short of support lapses, and
 * every qualified one not on a ballot by its date turns overdue, each in a transaction of
 * its own. The mark is taken under the row's lock, so running this twice, or in several
 * processes at once, logs and mails each event once.
 */
export async function markDueProposals(ctx: AppContext): Promise<{ lapsed: number; overdue: number }> {
  let lapsed = 0;
  let overdue = 0;
  for (const id of await data.listLapseDue(ctx.db))
    if (await ctx.db.transaction().execute((tx) => lapseOne(ctx, tx, id))) lapsed++;
  for (const id of await data.listOverdueDue(ctx.db))
    if (await ctx.db.transaction().execute((tx) => overdueOne(ctx, tx, id))) overdue++;
  if (lapsed || overdue) ctx.mailQueued();
  return { lapsed, overdue };
}

/* What the office may and may not do. */

async function ownProposal(db: Queryable, p: Principal, id: string): Promise<ProposalRow> {
  const row = await data.findProposal(db, id);
  if (!row || row.organisationId !== p.organisationId || row.status === 'draft') throw notFound('proposal');
  return row;
}

/** The office asks to reword a proposal: refused, and the attempt logged. */
export async function refuseRewording(ctx: AppContext, p: Principal, id: string, asked: unknown): Promise<never> {
  requireOrganiser(p);
  await ownProposal(ctx.db, p, id);
  await record(ctx.db, p, 'proposal.reword-refused', id, { asked });
  throw conflict(WORDING_FIXED);
}

/** The office asks to withdraw a proposal: refused, and the attempt logged. */
export async function refuseWithdrawal(ctx: AppContext, p: Principal, id: string): Promise<never> {
  requireOrganiser(p);
  await ownProposal(ctx.db, p, id);
  await record(ctx.db, p, 'proposal.withdraw-refused', id);
  throw new ServiceError('forbidden', NOT_WITHDRAWN);
}

/**
 * The ballot question a proposal becomes: its wording, unchanged. A motion with qualifying
 * amendments becomes one ranked question (Schulze) across its variants, word for word: the
 * motion's text is the question's description, then the options "The motion as proposed",
 * "Amendment N: title" (its whole text as the option's description) and "None: the motion
 * falls"; the settings declare the agenda, in `order` (option numbers; by default the
 * order of tabling).
 */
export function questionOf(
  p: Pick<ProposalRow, 'kind' | 'title' | 'text' | 'options'>,
  amendments: ReadonlyArray<Pick<ProposalRow, 'title' | 'text'>> = [],
  order?: number[],
) {
  if (amendments.length > 0 && p.kind === 'motion') {
    const numbers = amendments.map((_, i) => i + 1);
    const agenda: AgendaSettings = {
      original: 0,
      amendments: numbers,
      rejection: amendments.length + 1,
      order: order ?? numbers,
    };
    return questionInputSchema.parse({
      title: p.title,
      description: p.text,
      method: 'schulze',
      settings: { seats: 1, agenda },
      options: [
        { label: VARIANT_WORDS.original, description: VARIANT_WORDS.originalDescription },
        ...amendments.map((a, i) => ({ label: VARIANT_WORDS.amendment(i + 1, a.title), description: a.text })),
        { label: VARIANT_WORDS.rejection, description: VARIANT_WORDS.rejectionDescription },
      ],
    });
  }
  return questionInputSchema.parse({
    title: p.title,
    description: p.text,
    method: p.kind === 'motion' ? 'yesno' : 'plurality',
    ...(p.options ? { options: p.options.map((label) => ({ label })) } : {}),
  });
}

/**
 * The ballot questions a proposal becomes: its question (questionOf), or, for a question
 * with options and qualifying amendments (docs/proposals.md#amendments-to-a-question), two:
 * "Which version of the question: …", ranked across the versions (the original, then each
 * amendment in the order of tabling, each with its text and options as its description;
 * Schulze, its settings declaring the agenda, with no "falls" step: a question is always
 * answered), then the question itself, word for word, whose options are the union of every
 * version's, ranked, and counted over the adopted version's (`settings.versions`).
 */
export function questionsOf(
  p: Pick<ProposalRow, 'kind' | 'title' | 'text' | 'options'>,
  amendments: ReadonlyArray<Pick<ProposalRow, 'title' | 'text' | 'options'>> = [],
  order?: number[],
) {
  if (p.kind !== 'question' || amendments.length === 0) return [questionOf(p, amendments, order)];
  const numbers = amendments.map((_, i) => i + 1);
  const agenda: AgendaSettings = { original: 0, amendments: numbers, rejection: null, order: order ?? numbers };
  const versions = [p.options ?? [], ...amendments.map((a) => a.options ?? [])];
  const { union, positions } = unionOfVersions(versions);
  const versionLabels = [
    VARIANT_WORDS.originalQuestion,
    ...amendments.map((a, i) => VARIANT_WORDS.amendment(i + 1, a.title)),
  ];
  const which = questionInputSchema.parse({
    title: VARIANT_WORDS.versionQuestion(p.title),
    description: VARIANT_WORDS.versionDescription,
    method: 'schulze',
    settings: { seats: 1, agenda },
    options: [p, ...amendments].map((v, i) => ({
      label: versionLabels[i]!,
      description: VARIANT_WORDS.versionOptions(v.text, v.options ?? []),
    })),
  });
  const itself = questionInputSchema.parse({
    title: p.title,
    description: p.text,
    method: 'irv',
    settings: { versions: { question: which.title, options: positions } },
    options: union.map((label, i) => ({
      label,
      description: `In: ${versionLabels.filter((_, v) => positions[v]!.includes(i)).join('; ')}`,
    })),
  });
  return [which, itself];
}

/** A qualified proposal goes into a draft ballot of the organisation, as its last question(s), word for word. */
export async function scheduleProposal(
  ctx: AppContext,
  p: Principal,
  id: string,
  ballotId: string,
): Promise<ProposalView> {
  requireOrganiser(p);
  await ctx.db.transaction().execute(async (tx) => {
    const row = await data.lockProposal(tx, id);
    if (!row || row.organisationId !== p.organisationId || row.status === 'draft') throw notFound('proposal');
    if (row.kind === 'amendment')
      throw conflict('an amendment goes on the ballot with its motion, as one of the variants members rank');
    if (row.kind === 'against')
      throw conflict('a case against goes on the ballot beside its proposal, not as a question');
    if (row.status === 'scheduled') throw conflict('this proposal is already on a ballot');
    if (row.status !== 'qualified') throw conflict('only a qualified proposal can be put on a ballot');
    if (amendmentsOpen(row, await ballots.databaseNow(tx)))
      throw conflict(
        `members may table amendments to this motion until ${formatTime(row.amendmentsCloseAt!)}: it goes on a ballot after that`,
      );
    const b = await ballots.lockBallot(tx, ballotId, 'update');
    if (!b || b.organisationId !== p.organisationId) throw notFound('ballot');
    requireState(b, 'edit');
    const amendments = (await data.listAmendments(tx, id)).filter((a) => a.status === 'qualified');
    const questions = questionsOf(row, amendments);
    const refused = questions.map((q) => methodRefused(b.mode, q.method)).find((r) => r);
    if (refused) throw conflict(`this ballot is verifiable. ${refused}: put it on an office ballot`);
    const position = (await ballots.listQuestions(tx, ballotId)).length;
    for (const [i, q] of questions.entries())
      await ballots.insertQuestion(tx, ballotId, {
        position: position + i,
        title: q.title,
        description: q.description,
        method: q.method,
        settings: q.settings,
        options: q.options?.map((o) => ({ label: o.label, description: o.description })) ?? YES_NO_OPTIONS,
        comparisons: [],
      });
    const agendaSettings = questions.map((q) => (q.settings as { agenda?: AgendaSettings }).agenda).find((a) => a);
    await data.markScheduled(tx, id, ballotId);
    await data.markAmendmentsScheduled(
      tx,
      amendments.map((a) => a.id),
      ballotId,
    );
    await record(tx, p, 'proposal.schedule', id, {
      ballotId,
      position,
      wordingHash: wordingHash(row),
      scheduledAt: (await data.findProposal(tx, id))!.scheduledAt!.toISOString(),
      ...(amendments.length
        ? {
            amendments: amendments.map((a) => ({ id: a.id, wordingHash: wordingHash(a) })),
            agendaOrder: agendaSettings!.order,
          }
        : {}),
    });
  });
  return viewOf(ctx.db, (await data.findProposal(ctx.db, id))!, await ballots.databaseNow(ctx.db));
}

/**
 * A draft ballot carrying a member's proposal may be edited, but the proposal's question
 * stays on it word for word: refused (409) otherwise, naming the proposal. An amended
 * motion's agenda follows its question through an edit that does not give one (the builder
 * has no field for it): the input is returned with it.
 */
export async function requireProposalsKept(db: Queryable, ballotId: string, input: BallotInput): Promise<BallotInput> {
  // The variants of an amended motion, and its agenda (its order may change while the ballot is a draft).
  const agendaOf = (q: { settings: unknown }) => {
    const a = (q.settings as { agenda?: AgendaSettings }).agenda;
    return a ? JSON.stringify({ ...a, order: [...a.order].sort((x, y) => x - y) }) : null;
  };
  const versions = (q: { settings: unknown }) =>
    JSON.stringify((q.settings as { versions?: unknown } | undefined)?.versions ?? null);
  const stored = await ballots.listQuestions(db, ballotId);
  let questions = input.questions;
  for (const p of await data.listScheduledOn(db, ballotId))
    for (const want of questionsOf(p, await scheduledAmendments(db, p, ballotId))) {
      const same = (q: BallotInput['questions'][number]) =>
        q.title === want.title &&
        q.description === want.description &&
        q.method === want.method &&
        JSON.stringify(q.options?.map((o) => [o.label, o.description]) ?? null) ===
          JSON.stringify(want.options?.map((o) => [o.label, o.description]) ?? null);
      // The agenda (its order as declared) and an amended question's versions: the builder has no field for them.
      const declared = stored.find((q) => q.title === want.title)?.settings as
        { agenda?: AgendaSettings; versions?: unknown } | undefined;
      for (const key of ['agenda', 'versions'] as const)
        if (declared?.[key])
          questions = questions.map((q) =>
            same(q) && !(q.settings as Record<string, unknown> | undefined)?.[key]
              ? ({ ...q, settings: { ...q.settings, [key]: declared[key] } } as typeof q)
              : q,
          );
      const kept = questions.some((q) => same(q) && agendaOf(q) === agendaOf(want) && versions(q) === versions(want));
      if (!kept)
        throw conflict(
          `the question of the member proposal "${p.title}" must stay on this ballot word for word: the office cannot reword or remove it`,
        );
    }
  return { ...input, questions };
}

/** The amendments on the ballot with their motion, in the order of tabling (their options' order). */
async function scheduledAmendments(db: Queryable, p: ProposalRow, ballotId: string): Promise<ProposalRow[]> {
  return (await data.listAmendments(db, p.id)).filter((a) => a.status === 'scheduled' && a.ballotId === ballotId);
}

/**
 * The office declares the order in which the conference's agenda takes a scheduled motion's
 * amendments (by their ids), while its ballot is a draft: it is committed with the question
 * at open. The amendments' wording and the variants stay as they are.
 */
export async function setAgendaOrder(ctx: AppContext, p: Principal, id: string, order: string[]) {
  requireOrganiser(p);
  return ctx.db.transaction().execute(async (tx) => {
    const row = await data.lockProposal(tx, id);
    if (!row || row.organisationId !== p.organisationId || row.status === 'draft') throw notFound('proposal');
    if (row.status !== 'scheduled' || !row.ballotId) throw conflict('the proposal is not on a ballot');
    const b = (await ballots.lockBallot(tx, row.ballotId, 'update'))!;
    requireState(b, 'edit');
    const amendments = await scheduledAmendments(tx, row, row.ballotId);
    if (amendments.length === 0) throw conflict('this motion has no amendments on its ballot');
    const numbers = order.map((a) => amendments.findIndex((x) => x.id === a) + 1);
    const q = agendaQuestionFrom(await ballots.listQuestions(tx, row.ballotId), row);
    const settings = q?.settings as { seats: number; agenda?: AgendaSettings } | undefined;
    if (!q || !settings?.agenda) throw conflict('the question of this motion is not on its ballot');
    const agenda = { ...settings.agenda, order: numbers };
    const problem = agendaIssue(agenda, q.options.length);
    if (numbers.includes(0) || problem)
      throw invalid('name every amendment on the ballot once, by its id', [
        { path: 'order', message: numbers.includes(0) ? 'an id is not one of the amendments on the ballot' : problem! },
      ]);
    await ballots.setQuestionSettings(tx, row.ballotId, q.id, { ...settings, agenda });
    await record(tx, p, 'proposal.agenda-order', id, {
      ballotId: row.ballotId,
      questionId: q.id,
      order,
      labels: numbers.map((n) => q.options[n]!.label),
    });
    return {
      questionId: q.id,
      order: numbers.map((n) => ({ id: amendments[n - 1]!.id, label: q.options[n]!.label })),
    };
  });
}

/** A scheduled motion's agenda as the staff page shows it: its amendments in the declared order. */
export type AgendaView = {
  ballotId: string;
  /** Whether the order may still be declared (the ballot is a draft). */
  editable: boolean;
  order: Array<{ id: string; label: string }>;
};

/** The agenda of a motion scheduled with amendments (null for any other proposal). */
export async function agendaOf(ctx: AppContext, p: Principal, id: string): Promise<AgendaView | null> {
  requireRollVisible(p);
  const row = await data.findProposal(ctx.db, id);
  if (!row || row.organisationId !== p.organisationId || row.status === 'draft') throw notFound('proposal');
  if (!takesAmendments(row) || row.status !== 'scheduled' || !row.ballotId) return null;
  const amendments = await scheduledAmendments(ctx.db, row, row.ballotId);
  const q = agendaQuestionFrom(await ballots.listQuestions(ctx.db, row.ballotId), row);
  const agenda = (q?.settings as { agenda?: AgendaSettings } | undefined)?.agenda;
  if (!q || !agenda || amendments.length === 0) return null;
  const b = await ballots.findBallotById(ctx.db, row.ballotId);
  return {
    ballotId: row.ballotId,
    editable: !!b && allows(b.status, 'edit'),
    // Option n is amendment n in the order of tabling (option 0 is the motion as proposed).
    order: agenda.order.map((n) => ({ id: amendments[n - 1]!.id, label: q.options[n]!.label })),
  };
}

/* The case for and the case against (part 2 of issue 13). */

/** The question a scheduled proposal became on its ballot: its title and text, word for word. */
const questionFrom = (questions: Question[], p: ProposalRow) =>
  questions.find((q) => q.title === p.title && q.description === p.text);

/** The question carrying a scheduled proposal's agenda: an amended question's version question, or its own. */
const agendaQuestionFrom = (questions: Question[], p: ProposalRow) =>
  p.kind === 'question'
    ? questions.find((q) => q.title === VARIANT_WORDS.versionQuestion(p.title))
    : questionFrom(questions, p);

export type Statement = {
  text: string;
  author: 'office' | 'proposers' | 'members';
  /** The members' case against it is (its proposal's id). */
  caseId?: string;
};
/** Each question's statements, by question id. */
export type Statements = Map<string, Partial<Record<StatementSide, Statement>>>;

export async function statementsOf(db: Queryable, ballotId: string, questions: Question[]): Promise<Statements> {
  const [office, scheduled] = await Promise.all([
    data.listStatements(db, ballotId),
    data.listScheduledOn(db, ballotId),
  ]);
  const out: Statements = new Map();
  const entry = (id: string) => out.get(id) ?? out.set(id, {}).get(id)!;
  for (const s of office) entry(s.questionId)[s.side] = { text: s.text, author: s.author };
  for (const p of scheduled) {
    const q = questionFrom(questions, p);
    // The case for a member's proposal is its proposers' alone.
    if (q) {
      const e = entry(q.id);
      delete e.for;
      if (p.caseFor) e.for = { text: p.caseFor, author: 'proposers' };
      // The first members' case against to qualify stands in place of any the office wrote.
      const { qualified } = await caseAgainstOf(db, p);
      if (qualified) e.against = { text: qualified.text, author: 'members', caseId: qualified.id };
    }
  }
  // The office's own questions: likewise, the first members' case against each to qualify.
  const cases = await data.listCasesOnBallot(db, ballotId);
  for (const q of questions) {
    const qualified = firstQualified(cases.filter((c) => c.questionId === q.id));
    if (qualified) entry(q.id).against = { text: qualified.text, author: 'members', caseId: qualified.id };
  }
  return out;
}

/**
 * The statements the ballot opens with, by their SHA-256 and who wrote them (a members' case
 * against by its id), in the log beside the open: the election record's check V21 finds
 * there that each members' case against that qualified is its question's case against.
 */
export async function recordOpeningStatements(
  tx: Tx,
  by: Principal | { system: string; organisationId: string },
  ballotId: string,
): Promise<void> {
  const questions = await ballots.listQuestions(tx, ballotId);
  const said = await statementsOf(tx, ballotId, questions);
  // One item per statement, by its hash: V21 finds a members' case against by its id, V22 each proposal's by question.
  const statements = questions.flatMap((q) =>
    (['for', 'against'] as const).flatMap((side) => {
      const st = said.get(q.id)?.[side];
      return st
        ? [
            {
              questionId: q.id,
              side,
              author: st.author,
              textHash: textHash(st.text),
              ...(st.caseId ? { caseAgainst: st.caseId } : {}),
            },
          ]
        : [];
    }),
  );
  if (statements.length) await record(tx, by, 'ballot.statements', ballotId, { statements });
}

/** While a ballot is open its questions and statements are fixed: read once per question list (questionsOf keeps it). */
const paperStatements = new WeakMap<Question[], Statements>();

export async function statementsForPaper(
  ctx: AppContext,
  b: { id: string; questions: Question[] },
): Promise<Statements> {
  let s = paperStatements.get(b.questions);
  if (!s) {
    s = await statementsOf(ctx.db, b.id, b.questions);
    paperStatements.set(b.questions, s);
  }
  return s;
}

/**
 * The election with nominations a question of the ballot is (matched by title, as its
 * candidates' question was put there), or undefined: its candidates write their own
 * statements, which members read under their names, and the office writes no case for or
 * against it.
 */
async function electionOf(
  db: Queryable,
  ballotId: string,
  q: Pick<Question, 'title'>,
): Promise<{ id: string; title: string } | undefined> {
  const e = (await nominationsData.listElectionsOn(db, ballotId)).find((x) => x.title === q.title);
  return e ? { id: e.id, title: e.title } : undefined;
}

const ELECTION_STATEMENTS =
  'is an election from nominations: members read each candidate’s own statement under their name, so the office writes no case for or against it';

/** Who writes one side of a question's statements, and the proposal or case that makes it so. */
export type StatementSlot = {
  statement?: Statement;
  writer: 'office' | 'proposers' | 'members';
  /** The member proposal the question is (its proposers write the case for). */
  proposal?: { id: string; title: string };
  /** The members' case against that stands (the office cannot write over it). */
  caseId?: string;
};

/**
 * A ballot's statements as the staff page shows them: for each question, each side with who
 * writes it. The same rules as setStatements: a member proposal's case for is its proposers',
 * and a case against is the members' once one has qualified.
 */
export async function statementSlots(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
): Promise<{
  editable: boolean;
  /** `election`: the question is an election's candidates (their statements are its options' descriptions). */
  questions: Array<{
    question: Question;
    for: StatementSlot;
    against: StatementSlot;
    election?: { id: string; title: string };
  }>;
}> {
  requireBallotVisible(p, ballotId);
  const b = await ballots.findBallot(ctx.db, p.organisationId, ballotId);
  if (!b) throw notFound('ballot');
  const questions = await ballots.listQuestions(ctx.db, ballotId);
  const [said, scheduled, cases] = await Promise.all([
    statementsOf(ctx.db, ballotId, questions),
    data.listScheduledOn(ctx.db, ballotId),
    data.listCasesOnBallot(ctx.db, ballotId),
  ]);
  const out = [];
  for (const q of questions) {
    const s = said.get(q.id) ?? {};
    const proposal = scheduled.find((x) => questionFrom([q], x));
    const qualified = proposal
      ? (await caseAgainstOf(ctx.db, proposal)).qualified
      : firstQualified(cases.filter((c) => c.questionId === q.id));
    const named = proposal ? { id: proposal.id, title: proposal.title } : undefined;
    const election = await electionOf(ctx.db, ballotId, q);
    out.push({
      question: q,
      ...(election ? { election } : {}),
      for: { statement: s.for, writer: proposal ? ('proposers' as const) : ('office' as const), proposal: named },
      against: qualified
        ? { statement: s.against, writer: 'members' as const, caseId: qualified.id, proposal: named }
        : { statement: s.against, writer: 'office' as const, proposal: named },
    });
  }
  return { editable: allows(b.status, 'edit'), questions: out };
}

const textHash = (t: string | null | undefined) =>
  t ? crypto.createHash('sha256').update(t, 'utf8').digest('hex') : null;

/**
 * The office writes the case for and/or against a question of a draft ballot (null removes
 * one). On a member proposal's question the case for is the proposers': the office's attempt
 * is refused (403) and logged.
 */
export async function setStatements(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  questionId: string,
  body: Partial<Record<StatementSide, string | null>>,
) {
  requireOrganiser(p);
  const b = await ballots.findBallot(ctx.db, p.organisationId, ballotId);
  if (!b) throw notFound('ballot');
  const questions = await ballots.listQuestions(ctx.db, ballotId);
  const q = questions.find((x) => x.id === questionId);
  if (!q) throw notFound('question');
  // Removing one (null) stays possible: a statement written before this was refused can be taken off.
  if (Object.values(body).some((t) => typeof t === 'string') && (await electionOf(ctx.db, ballotId, q)))
    throw conflict(`“${q.title}” ${ELECTION_STATEMENTS}`);
  const proposal = (await data.listScheduledOn(ctx.db, ballotId)).find((x) => questionFrom([q], x));
  if (proposal && body.against !== undefined && (await caseAgainstOf(ctx.db, proposal)).qualified) {
    await record(ctx.db, p, 'statement.against-refused', ballotId, { questionId, proposalId: proposal.id });
    throw new ServiceError(
      'forbidden',
      "the case against this member's proposal is the members' who gathered the same support: the office cannot write over it",
    );
  }
  const stood = proposal
    ? undefined
    : firstQualified((await data.listCasesOnBallot(ctx.db, ballotId)).filter((c) => c.questionId === questionId));
  if (stood && body.against !== undefined) {
    await record(ctx.db, p, 'statement.against-refused', ballotId, { questionId, caseAgainst: stood.id });
    throw new ServiceError(
      'forbidden',
      'the case against this question is the members’ who gathered the support: the office cannot write over it or remove it',
    );
  }
  if (proposal && body.for !== undefined) {
    await record(ctx.db, p, 'statement.for-refused', ballotId, { questionId, proposalId: proposal.id });
    throw new ServiceError('forbidden', "the case for a member's proposal is written by its proposers, not the office");
  }
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await ballots.lockBallot(tx, ballotId, 'update');
    requireState(locked!, 'edit');
    for (const side of ['for', 'against'] as const) {
      const text = body[side];
      if (text === undefined) continue;
      if (text === null) await data.deleteStatement(tx, questionId, side);
      else await data.putStatement(tx, { questionId, side, text, author: 'office' });
    }
    await record(tx, p, 'statements.set', ballotId, {
      questionId,
      for: body.for === undefined ? 'unchanged' : textHash(body.for),
      against: body.against === undefined ? 'unchanged' : textHash(body.against),
    });
  });
  return Object.fromEntries(
    Object.entries((await statementsOf(ctx.db, ballotId, questions)).get(questionId) ?? {}).map(([side, s]) => [
      side,
      { text: s.text, author: s.author },
    ]),
  );
}

/** The proposer writes their proposal's case for, until the ballot it is on opens. */
export async function setCaseFor(
  ctx: AppContext,
  token: string,
  address: string,
  id: string,
  text: string,
): Promise<ProposalView> {
  const m = await linkMember(ctx, token, address);
  await ctx.db.transaction().execute(async (tx) => {
    const p = await lockVisible(tx, m, id);
    if (p.proposerMemberId !== m.memberId || (p.kind !== 'motion' && p.kind !== 'question'))
      throw new ServiceError('forbidden', 'the case for a proposal is written by its proposer');
    const b = p.ballotId ? await ballots.findBallotById(tx, p.ballotId) : undefined;
    if (b && !allows(b.status, 'edit')) throw conflict('the ballot has opened: the case for can no longer change');
    await data.setCaseFor(tx, id, text);
    await record(tx, { system: 'member proposal', organisationId: p.organisationId }, 'proposal.case-for', id, {
      textHash: textHash(text),
    });
  });
  return memberView(ctx, token, address, id);
}

/**
 * The office's statements follow their question through an edit of the draft (the edit
 * writes the questions anew): call before, and run what it returns after.
 */
export async function keepStatements(tx: Tx, ballotId: string): Promise<() => Promise<void>> {
  const before = await data.listStatements(tx, ballotId);
  return async () => {
    if (before.length === 0) return;
    const questions = await ballots.listQuestions(tx, ballotId);
    for (const s of before) {
      const q = questions.find((x) => x.title === s.title);
      if (q) await data.putStatement(tx, { ...s, questionId: q.id });
    }
  };
}

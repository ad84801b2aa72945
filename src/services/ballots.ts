import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as electorate from '../data/electorate';
import * as orgs from '../data/organisations';
import * as outbox from '../data/outbox';
import * as roll from '../data/roll';
import type { Principal } from '../data/organisations';
import type { Tx } from '../db/database';
import { type BallotInput, type Question, YES_NO_OPTIONS } from '../domain/ballot';
import { hashSecret, newSecret } from '../secrets';
import type { AppContext } from './context';
import { openBox } from './ballot-box';
import type { UnitFacts } from '../domain/count';
import { conflict, invalid, notFound } from './errors';
import { type BallotMailFacts, LINK_PURPOSE, queueBallotMail, queueReminders } from './invitations';

/**
 * The life of a ballot: draft (editable) → open (electorate fixed, links sent) → closed
 * (counted) → published. State changes lock the ballot row, so a close cannot interleave
 * with a cast.
 */

export type BallotView = BallotRow & { questions: Question[] };

async function writeQuestions(tx: Tx, ballotId: string, input: BallotInput): Promise<void> {
  await ballots.deleteQuestions(tx, ballotId);
  for (const [position, q] of input.questions.entries()) {
    await ballots.insertQuestion(tx, ballotId, {
      position, title: q.title, description: q.description, method: q.method, settings: q.settings,
      options: q.method === 'yesno' ? YES_NO_OPTIONS : q.options,
    });
  }
}

const fields = (input: BallotInput) => ({
  title: input.title, description: input.description, opensAt: input.opensAt, closesAt: input.closesAt,
  k: input.k, receiptPolicy: input.receiptPolicy, voterListVisible: input.voterListVisible,
  reminderHours: [...new Set(input.reminderHours)].sort((a, b) => b - a), delegateSettings: input.delegates,
});

export async function createBallot(ctx: AppContext, p: Principal, input: BallotInput): Promise<BallotView> {
  const id = await ctx.db.transaction().execute(async (tx) => {
    const id = await ballots.insertBallot(tx, p.organisationId, fields(input));
    await writeQuestions(tx, id, input);
    return id;
  });
  return getBallot(ctx, p, id);
}

export async function getBallot(ctx: AppContext, p: Principal, id: string): Promise<BallotView> {
  const b = await ballots.findBallot(ctx.db, p.organisationId, id);
  if (!b) throw notFound('ballot');
  return { ...b, questions: await ballots.listQuestions(ctx.db, id) };
}

export const listBallots = (ctx: AppContext, p: Principal) => ballots.listBallots(ctx.db, p.organisationId);

async function lockOwnBallot(tx: Tx, p: Principal, id: string): Promise<BallotRow> {
  const b = await ballots.lockBallot(tx, id, 'update');
  if (!b || b.organisationId !== p.organisationId) throw notFound('ballot');
  return b;
}

export async function updateBallot(ctx: AppContext, p: Principal, id: string, input: BallotInput): Promise<BallotView> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'draft') throw conflict(`the ballot is ${b.status}: only a draft can be edited`);
    await ballots.updateBallotFields(tx, id, fields(input));
    await writeQuestions(tx, id, input);
  });
  return getBallot(ctx, p, id);
}

async function mailFacts(tx: Tx, b: BallotRow): Promise<BallotMailFacts> {
  const org = await orgs.findOrganisation(tx, b.organisationId);
  return {
    organisationId: b.organisationId, organisationName: org?.name ?? '', ballotId: b.id, ballotTitle: b.title,
    opensAt: b.opensAt, closesAt: b.closesAt, questions: await ballots.listQuestions(tx, b.id),
  };
}

function issueToken(ctx: AppContext) {
  const token = newSecret();
  return { tokenHash: hashSecret(token), sealedToken: ctx.keys.seal(LINK_PURPOSE, token) };
}

/** Opens a draft: one token per current member, and an invitation each, in one transaction. */
export async function openBallot(ctx: AppContext, p: Principal, id: string): Promise<{ electorate: number; invitationsQueued: number }> {
  const result = await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'draft') throw conflict(`the ballot is already ${b.status}`);
    if (b.closesAt.getTime() <= (await ballots.databaseNow(tx)).getTime()) {
      throw invalid('the closing time has passed: change it before opening', [{ path: 'closesAt', message: 'is in the past' }]);
    }
    const members = await roll.listCurrentMembers(tx, p.organisationId);
    if (!members.length) throw invalid('the member roll is empty: import it before opening a ballot');
    const issued = members.map((m) => ({ member: m, ...issueToken(ctx) }));
    await electorate.insertTokens(tx, id, issued.map((i) => ({
      memberId: i.member.id, branchId: i.member.branchId, weight: i.member.weight, tokenHash: i.tokenHash, sealedToken: i.sealedToken,
    })));
    const facts = await mailFacts(tx, b);
    const queued = await queueBallotMail(tx, 'invitation', facts,
      issued.map((i) => ({ memberId: i.member.id, email: i.member.email, name: i.member.name, sealedToken: i.sealedToken })));
    await ballots.setBallotStatus(tx, id, 'open');
    return { electorate: members.length, invitationsQueued: queued };
  });
  ctx.mailQueued();
  return result;
}

/** A member added to the roll while the ballot is open joins its electorate and is invited. */
export async function addToElectorate(ctx: AppContext, p: Principal, id: string, memberId: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'open') throw conflict(`the ballot is ${b.status}: members can join the electorate only while it is open`);
    const m = await roll.findMember(tx, p.organisationId, memberId);
    if (!m) throw notFound('member');
    if (await electorate.hasToken(tx, id, memberId)) throw conflict('this member is already in the electorate');
    const t = issueToken(ctx);
    await electorate.insertTokens(tx, id, [{ memberId, branchId: m.branchId, weight: m.weight, ...t }]);
    await queueBallotMail(tx, 'invitation', await mailFacts(tx, b), [{ memberId, email: m.email, name: m.name, sealedToken: t.sealedToken }]);
  });
  ctx.mailQueued();
}

/** Sends a member a new link; the old one stops working at once. */
export async function reissueLink(ctx: AppContext, p: Principal, id: string, memberId: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'open') throw conflict(`the ballot is ${b.status}: links can be re-issued only while it is open`);
    const m = await roll.findMember(tx, p.organisationId, memberId);
    if (!m) throw notFound('member');
    const t = issueToken(ctx);
    const prior = await electorate.replaceToken(tx, id, memberId, t.tokenHash, t.sealedToken);
    if (!prior) throw notFound('member in this ballot\'s electorate');
    if (prior.used) throw conflict('this member has already voted');
    await outbox.cancelQueued(tx, id, memberId);
    await queueBallotMail(tx, 'invitation', await mailFacts(tx, b), [{ memberId, email: m.email, name: m.name, sealedToken: t.sealedToken }]);
  });
  ctx.mailQueued();
}

export async function sendReminders(ctx: AppContext, p: Principal, id: string): Promise<{ queued: number }> {
  const b = await ballots.findBallot(ctx.db, p.organisationId, id);
  if (!b) throw notFound('ballot');
  if (b.status !== 'open') throw conflict(`the ballot is ${b.status}: reminders go out only while it is open`);
  const queued = await ctx.db.transaction().execute(async (tx) => queueReminders({ ...ctx, db: tx }, await mailFacts(tx, b)));
  ctx.mailQueued();
  return { queued };
}

/** Closing: the box is opened, reconciled with the used tokens and committed to by its root. */
async function closeLocked(ctx: AppContext, tx: Tx, b: BallotRow): Promise<void> {
  await ballots.setBallotStatus(tx, b.id, 'closed');
  const opened = await openBox(tx, ctx.keys, b.id, b.k);
  // Each unit's membership and electorate are fixed now, for the delegate model.
  const members = new Map((await roll.listBranches(tx, b.organisationId)).map((x) => [x.name, Number(x.members)]));
  const electorateOf = new Map((await electorate.turnoutByBranch(tx, b.id)).map((x) => [x.branch, Number(x.eligible)]));
  const units: UnitFacts[] = opened.units.map((u) => ({
    ...u,
    members: u.branches.reduce((n, br) => n + (members.get(br) ?? 0), 0),
    electorate: u.branches.reduce((n, br) => n + (electorateOf.get(br) ?? 0), 0),
  }));
  await ballots.recordOpenedBox(tx, b.id, { units, root: opened.root, countsCheck: { votes: opened.votes, byBranch: opened.byBranch } });
  await electorate.wipeSealedTokens(tx, b.id);
}

export async function closeBallot(ctx: AppContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'open') throw conflict(`the ballot is ${b.status}: only an open ballot can be closed`);
    await closeLocked(ctx, tx, b);
  });
}

/** Closes every open ballot whose closing time has passed. Safe to run on every instance. */
export async function closeDueBallots(ctx: AppContext): Promise<string[]> {
  const closed: string[] = [];
  for (const id of await ballots.listBallotsDueToClose(ctx.db)) {
    await ctx.db.transaction().execute(async (tx) => {
      const b = await ballots.lockBallot(tx, id, 'update');
      if (b?.status === 'open' && b.closesAt.getTime() <= (await ballots.databaseNow(tx)).getTime()) {
        await closeLocked(ctx, tx, b);
        closed.push(id);
      }
    });
  }
  return closed;
}

export async function publishBallot(ctx: AppContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'closed') throw conflict(`the ballot is ${b.status}: only a closed ballot can be published`);
    await ballots.setBallotStatus(tx, id, 'published');
  });
}

export async function deleteDraft(ctx: AppContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    if (b.status !== 'draft') throw conflict(`the ballot is ${b.status}: only a draft can be deleted`);
    await ballots.deleteBallot(tx, id);
  });
}

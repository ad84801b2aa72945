import { setImmediate as nextTurn } from 'node:timers/promises';
import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as auditData from '../data/audit';
import * as electorate from '../data/electorate';
import * as orgs from '../data/organisations';
import * as outbox from '../data/outbox';
import * as openings from '../data/openings';
import * as roll from '../data/roll';
import { findWording } from '../data/ballot-mail';
import * as trusteesData from '../data/trustees';
import * as credentialsData from '../data/credentials';
import type { Principal } from '../data/organisations';
import type { Queryable, Tx } from '../db/database';
import {
  type BallotInput,
  type BallotMode,
  type DeclaredComparison,
  type Question,
  YES_NO_OPTIONS,
  comparisonMethodIssues,
} from '@omov/core/domain/ballot';
import { hashSecret, newSecrets } from '../platform/secrets';
import type { AppContext } from './context';
import { requireBallotVisible, requireOrganiser, ballotVisible, requireState } from './access';
import { mailAuditors, record } from './audit';
import { openBox } from './ballot-box';
import { CloseThread } from './close-thread';
import { closeChain } from './chain';
import { commitAtClose, commitAtOpen } from './commitments';
import { consume, RateLimited } from './rate-limits';
import { closeVerifiable, openVerifiable } from './verifiable';
import type { UnitFacts } from '@omov/core/domain/count';
import { allows } from '@omov/core/domain/lifecycle';
import { formatTime } from '@omov/core/domain/zones';
import { nearestBranch } from '@omov/core/domain/branches';
import { ServiceError, conflict, invalid, notFound } from './errors';
import { type BallotMailFacts, LINK_PURPOSE, queueBallotMail, queueReminders, queueVotedNotice } from './invitations';
import { countAndStore, storedResultsIn } from './results';
import { keepPositions } from './positions';
import {
  keepCasesAgainst,
  keepStatements,
  requireCasesAgainstKept,
  requireProposalsKept,
  recordOpeningStatements,
  statementsOf,
} from './proposals';
import { requireElectionsKept } from './nominations';

/**
 * The life of a ballot: draft (editable) → open (electorate fixed, links sent) → closed
 * (counted) → published, as @omov/core/domain/lifecycle rules. State changes lock the
 * ballot row, so a close cannot interleave with a cast.
 */

export type BallotView = BallotRow & { questions: Question[] };

async function writeQuestions(tx: Tx, ballotId: string, input: BallotInput): Promise<void> {
  await ballots.deleteQuestions(tx, ballotId);
  for (const [position, q] of input.questions.entries()) {
    await ballots.insertQuestion(tx, ballotId, {
      position,
      title: q.title,
      description: q.description,
      method: q.method,
      settings: q.settings,
      // Only a motion comes without options (the schema requires them otherwise): Yes and No.
      options: q.options ?? YES_NO_OPTIONS,
      comparisons: q.comparisons ?? [],
    });
  }
}

const fields = (input: BallotInput) => ({
  title: input.title,
  description: input.description,
  opensAt: input.opensAt,
  closesAt: input.closesAt,
  k: input.k,
  receiptPolicy: input.receiptPolicy,
  voterListVisible: input.voterListVisible,
  reminderHours: [...new Set(input.reminderHours)].sort((a, b) => b - a),
  delegateSettings: input.delegates,
  eligibility: input.eligibility,
  randomiseOptions: input.randomiseOptions,
  timeZone: input.timeZone,
  mode: input.mode,
});

/**
 * "Only members of these branches" names real branches: a slip ("Leds") would silently shrink
 * the electorate, so it is refused naming the branch it most likely meant.
 */
async function requireKnownBranches(db: Queryable, organisationId: string, input: BallotInput): Promise<void> {
  const wanted = [
    ...(input.eligibility?.branches ?? []).map((name, i) => ({ name, path: `eligibility.branches.${i}` })),
    ...input.questions.flatMap((q, i) => comparisonBranches(q.comparisons ?? [], `questions.${i}.comparisons`)),
  ];
  const affiliates = input.questions.flatMap((q, i) =>
    comparisonAffiliates(q.comparisons ?? [], `questions.${i}.comparisons`),
  );
  if (!wanted.length && !affiliates.length) return;
  const real = (await roll.listBranches(db, organisationId)).map((b) => b.name);
  const known = new Set(real);
  const clashes = affiliateClashes(affiliates, known).map(({ path, message }) => ({ path, message }));
  const issues = wanted.flatMap(({ name, path }) => {
    if (known.has(name)) return [];
    const near = nearestBranch(name, real);
    return [
      {
        path,
        message: `no branch '${name}'${near ? ` — did you mean '${near}'?` : `; the branches are ${real.join(', ') || 'none yet (import the roll)'}`}`,
      },
    ];
  });
  issues.unshift(...clashes);
  if (issues.length) throw invalid(issues.map((i) => i.message).join('; '), issues);
}

/** The affiliated delegations a question's comparisons name, with where. */
function comparisonAffiliates(comparisons: ReadonlyArray<DeclaredComparison>, at: string) {
  return comparisons.flatMap((c, j) =>
    c.model.method === 'sortition'
      ? []
      : (c.model.affiliates ?? []).map((a, k) => ({ name: a.name, path: `${at}.${j}.model.affiliates.${k}.name` })),
  );
}

/** An affiliated delegation named as a branch is refused: its delegates would be confused with the branch's. */
function affiliateClashes(affiliates: ReadonlyArray<{ name: string; path: string }>, known: ReadonlySet<string>) {
  return affiliates
    .filter((a) => known.has(a.name))
    .map((a) => ({
      name: a.name,
      path: a.path,
      message: `'${a.name}' is a branch: an affiliated delegation needs a name of its own`,
    }));
}

/** The branches a question's comparisons name (fixed numbers, extras' counts, attendance, card-vote sections), with where. */
function comparisonBranches(comparisons: ReadonlyArray<DeclaredComparison>, at: string) {
  return comparisons.flatMap((c, j) => [
    ...(c.model.method === 'fixed'
      ? Object.keys(c.model.numbers).map((name) => ({ name, path: `${at}.${j}.model.numbers.${name}` }))
      : []),
    ...(c.model.method === 'sortition' ? [] : (c.model.extras ?? [])).flatMap((e, k) =>
      Object.keys(e.counts).map((name) => ({ name, path: `${at}.${j}.model.extras.${k}.counts.${name}` })),
    ),
    ...Object.keys(c.model.method === 'sortition' ? {} : (c.model.attendance ?? {})).map((name) => ({
      name,
      path: `${at}.${j}.model.attendance.${name}`,
    })),
    ...(c.model.method === 'sortition' || !c.model.balance
      ? []
      : Object.keys(c.model.balance.counts).map((name) => ({ name, path: `${at}.${j}.model.balance.counts.${name}` }))),
    ...Object.keys(c.model.method === 'sortition' ? {} : (c.model.regions?.of ?? {})).map((name) => ({
      name,
      path: `${at}.${j}.model.regions.of.${name}`,
    })),
    // A card vote's section may name the comparison's affiliated delegations beside branches.
    ...(c.procedure.kind === 'card'
      ? c.procedure.sections.flatMap((s, k) =>
          s.branches
            .map((name, m) => ({ name, path: `${at}.${j}.procedure.sections.${k}.branches.${m}` }))
            .filter(
              (x) => c.model.method === 'sortition' || !(c.model.affiliates ?? []).some((a) => a.name === x.name),
            ),
        )
      : []),
  ]);
}

/**
 * Declares one question's delegate comparisons, replacing those it had: only while the
 * ballot is a draft, since they are committed at open (nobody may choose one after seeing the result).
 */
export async function declareComparisons(
  ctx: AppContext,
  p: Principal,
  id: string,
  questionId: string,
  comparisons: DeclaredComparison[],
): Promise<BallotView> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'edit');
    const named = comparisonBranches(comparisons, 'comparisons');
    const affiliates = comparisonAffiliates(comparisons, 'comparisons');
    if (named.length || affiliates.length) {
      const known = new Set((await roll.listBranches(tx, p.organisationId)).map((x) => x.name));
      const unknown = [
        ...affiliateClashes(affiliates, known),
        ...named.filter((x) => !known.has(x.name)).map((x) => ({ path: x.path, message: `no branch '${x.name}'` })),
      ];
      if (unknown.length)
        throw invalid(
          unknown.map((x) => x.message).join('; '),
          unknown.map((x) => ({ path: x.path, message: x.message })),
        );
    }
    const before = (await ballots.listQuestions(tx, id)).find((q) => q.id === questionId);
    const wrong = before
      ? comparisonMethodIssues(
          before.method,
          comparisons,
          before.options.map((o) => o.label),
        )
      : [];
    if (wrong.length)
      throw invalid(
        wrong.map((x) => x.message).join('; '),
        wrong.map((x) => ({ path: ['comparisons', ...x.path].join('.'), message: x.message })),
      );
    if (!before || !(await ballots.setComparisons(tx, id, questionId, comparisons))) throw notFound('question');
    await record(tx, p, 'ballot.edit', id, {
      question: questionId,
      before: { comparisons: before.comparisons ?? [] },
      after: { comparisons },
    });
  });
  return getBallot(ctx, p, id);
}

export async function createBallot(ctx: AppContext, p: Principal, input: BallotInput): Promise<BallotView> {
  requireOrganiser(p);
  await requireKnownBranches(ctx.db, p.organisationId, input);
  const id = await ctx.db.transaction().execute((tx) => insertDraftBallot(tx, p, input));
  return getBallot(ctx, p, id);
}

/** Writes a new draft ballot and logs it, in the caller's transaction (an election put on a ballot of its own uses it too). */
export async function insertDraftBallot(tx: Tx, p: Principal, input: BallotInput): Promise<string> {
  const id = await ballots.insertBallot(tx, p.organisationId, fields(input));
  await writeQuestions(tx, id, input);
  await record(tx, p, 'ballot.create', id, { after: input });
  return id;
}

export async function getBallot(ctx: AppContext, p: Principal, id: string): Promise<BallotView> {
  requireBallotVisible(p, id);
  const b = await ballots.findBallot(ctx.db, p.organisationId, id);
  if (!b) throw notFound('ballot');
  return { ...b, questions: await ballots.listQuestions(ctx.db, id) };
}

export async function listBallots(ctx: AppContext, p: Principal): Promise<BallotRow[]> {
  return (await ballots.listBallots(ctx.db, p.organisationId)).filter((b) => ballotVisible(p, b.id));
}

/** Locks a ballot of the caller's organisation for a change; only organisers change ballots. */
export async function lockOwnBallot(tx: Tx, p: Principal, id: string): Promise<BallotRow> {
  requireOrganiser(p);
  const b = await ballots.lockBallot(tx, id, 'update');
  if (!b || b.organisationId !== p.organisationId) throw notFound('ballot');
  return b;
}

/** Keys made for other trustees or another threshold are no keys for the ballot; a new credential authority changes none. */
const sameTrustees = (a: BallotMode, b: BallotMode): boolean =>
  a.kind === 'office'
    ? b.kind === 'office'
    : b.kind === 'verifiable' && a.trustees === b.trustees && a.threshold === b.threshold;

export async function updateBallot(
  ctx: AppContext,
  p: Principal,
  id: string,
  edited: BallotInput,
): Promise<BallotView> {
  // An election's candidates stay as they are (the refusal is logged, so it is checked before the edit's transaction).
  await requireElectionsKept(ctx, p, id, edited);
  // So is a question that carries a qualified members' case against (refused and logged, the same way).
  await requireCasesAgainstKept(ctx.db, p, id, edited);
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'edit');
    await requireCasesAgainstKept(tx, p, id, edited, { inTx: true });
    await requireKnownBranches(tx, p.organisationId, edited);
    // An amended motion's agenda follows its question (the builder has no field for it).
    const input = await requireProposalsKept(tx, id, edited);
    const before = { ...b, questions: await ballots.listQuestions(tx, id) };
    if (!sameTrustees(b.mode, input.mode)) await trusteesData.deleteTrustees(tx, id);
    if (b.mode.kind !== input.mode.kind) await credentialsData.deleteCredentialAuthority(tx, id);
    await ballots.updateBallotFields(tx, id, fields(input));
    const restoreStatements = await keepStatements(tx, id);
    const restorePositions = await keepPositions(tx, id);
    const restoreCases = await keepCasesAgainst(tx, id);
    await writeQuestions(tx, id, input);
    await restoreStatements();
    await restorePositions();
    await restoreCases();
    await record(tx, p, 'ballot.edit', id, { before, after: input });
  });
  return getBallot(ctx, p, id);
}

async function mailFacts(tx: Tx, b: BallotRow): Promise<BallotMailFacts> {
  const org = await orgs.findOrganisation(tx, b.organisationId);
  const questions = await ballots.listQuestions(tx, b.id);
  const said = await statementsOf(tx, b.id, questions);
  return {
    organisationId: b.organisationId,
    organisationName: org?.name ?? '',
    ballotId: b.id,
    ballotTitle: b.title,
    opensAt: b.opensAt,
    closesAt: b.closesAt,
    timeZone: b.timeZone,
    questions,
    statements: questions
      .filter((q) => said.has(q.id) && Object.keys(said.get(q.id)!).length > 0)
      .map((q) => ({ questionId: q.id, n: q.position + 1, title: q.title, ...said.get(q.id) })),
    wording: await findWording(tx, b.id),
  };
}

/** `n` voting tokens: each one's hash (kept) and sealed copy (for its mail); the token itself is kept nowhere. */
function issueTokens(ctx: AppContext, n: number): Array<{ tokenHash: Buffer; sealedToken: string }> {
  const tokens = newSecrets(n);
  const sealed = ctx.keys.sealMany(LINK_PURPOSE, tokens);
  return tokens.map((t, i) => ({ tokenHash: hashSecret(t), sealedToken: sealed[i]! }));
}

/** Members read, given tokens and queued invitations per round trip while a ballot opens (2,000: bench:scale found the
 * event loop held up to 150–190 ms by a batch of 5,000, and the open no faster). */
export const OPEN_BATCH = 2000;
/** Tokens made between two turns of the event loop while a ballot opens. */
const TOKEN_STEP = 1000;

/**
 * Opens a draft: one token per eligible member, and an invitation each, in one
 * transaction (a failure anywhere leaves the draft as it was). The roll is read through a
 * cursor and written in batches, so memory stays the same whatever its size. With
 * `sendAt` the invitations wait in the queue until then.
 */
export async function openBallot(
  ctx: AppContext,
  p: Principal,
  id: string,
  opts: { sendAt?: string; batchSize?: number } = {},
): Promise<{ electorate: number; invitationsQueued: number; invitationsAt: string }> {
  // Progress for the ballot's page (data/openings.ts), written through the pool in order and
  // never waited for: with every connection busy (a pool of one: this transaction's) it comes late.
  let progress = Promise.resolve();
  const report = (write: () => Promise<void>) => {
    progress = progress.then(write).catch(() => undefined);
  };
  const opening = ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'open');
    const now = await ballots.databaseNow(tx);
    if (b.closesAt.getTime() <= now.getTime()) {
      throw invalid('the closing time has passed: change it before opening', [
        { path: 'closesAt', message: 'is in the past' },
      ]);
    }
    if (b.mode.kind === 'verifiable') {
      // No voting links and no invitations: the credential authority delivers the credentials.
      const { electorate: n } = await openVerifiable(tx, b, p);
      return { electorate: n, invitationsQueued: 0, invitationsAt: now.toISOString() };
    }
    const sendAt = opts.sendAt ? new Date(opts.sendAt) : now;
    if (sendAt.getTime() >= b.closesAt.getTime()) {
      throw invalid('the invitations would go out after voting closes', [
        { path: 'sendAt', message: 'must be before the closing time' },
      ]);
    }
    const facts = await mailFacts(tx, b);
    const total = await roll.countEligibleMembers(tx, p.organisationId, b.eligibility);
    report(() => openings.startOpening(ctx.db, id, total));
    let members = 0;
    let queued = 0;
    // The database and this thread work at the same time: a batch's tokens are made while the
    // batch before it is written, and the next batch is read before that (one connection: its
    // queries run in the order they are sent). At most three batches are held at once.
    // Made 1,000 at a time with a turn of the event loop between: sealing a whole batch in one go held it too long.
    const prepare = async (batch: roll.MemberRow[]) => {
      const issued: Array<{ member: roll.MemberRow; tokenHash: Buffer; sealedToken: string }> = [];
      for (let i = 0; i < batch.length; i += TOKEN_STEP) {
        if (i > 0) await nextTurn();
        const part = batch.slice(i, i + TOKEN_STEP);
        const tokens = issueTokens(ctx, part.length);
        part.forEach((m, k) => issued.push({ member: m, ...tokens[k]! }));
      }
      return issued;
    };
    const write = (issued: Awaited<ReturnType<typeof prepare>>) =>
      Promise.all([
        electorate.insertTokens(
          tx,
          id,
          issued.map((i) => ({
            memberId: i.member.id,
            branchId: i.member.branchId,
            weight: i.member.weight,
            tokenHash: i.tokenHash,
            sealedToken: i.sealedToken,
          })),
        ),
        queueBallotMail(
          tx,
          'invitation',
          facts,
          issued.map((i) => ({
            memberId: i.member.id,
            email: i.member.email,
            name: i.member.name,
            sealedToken: i.sealedToken,
          })),
          sendAt,
        ),
      ]).then(([, n]) => {
        queued += n;
        members += issued.length;
        const done = members;
        report(() => openings.advanceOpening(ctx.db, id, done));
      });
    const rows = roll.eligibleMembersInBatches(tx, p.organisationId, b.eligibility, opts.batchSize ?? OPEN_BATCH);
    const batches = rows[Symbol.asyncIterator]();
    let writing: Promise<void> | undefined;
    try {
      for (let next = batches.next(); ;) {
        const r = await next;
        if (r.done) break;
        next = batches.next();
        next.catch(() => undefined);
        const issued = await prepare(r.value);
        await writing;
        writing = write(issued);
        writing.catch(() => undefined);
      }
      await writing;
    } catch (err) {
      // The first failure is the one to report: later statements fail only because it did.
      await writing;
      throw err;
    }
    if (!members) {
      throw invalid(
        b.eligibility
          ? "no current member meets the ballot's eligibility rule"
          : 'the member roll is empty: import it before opening a ballot',
      );
    }
    await ballots.moveBallot(tx, id, 'open');
    await ballots.setInvitationsAt(tx, id, sendAt);
    await record(tx, p, 'ballot.open', id, {
      electorate: members,
      invitationsQueued: queued,
      invitationsAt: sendAt.toISOString(),
    });
    await recordOpeningStatements(tx, p, id);
    // Reads the tokens back from the database: independent of how they were written above.
    await commitAtOpen(tx, ctx.keys, b, p);
    return { electorate: members, invitationsQueued: queued, invitationsAt: sendAt.toISOString() };
  });
  const result = await opening.finally(async () => {
    report(() => openings.endOpening(ctx.db, id));
    await progress;
  });
  ctx.mailQueued();
  return result;
}

/** A member added to the roll while the ballot is open joins its electorate and is invited. */
export async function addToElectorate(ctx: AppContext, p: Principal, id: string, memberId: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'add-to-electorate');
    const m = await roll.findMember(tx, p.organisationId, memberId);
    if (!m) throw notFound('member');
    if (!(await roll.listEligibleMembers(tx, p.organisationId, b.eligibility, { memberId })).length)
      throw conflict("this member does not meet the ballot's eligibility rule");
    if (await electorate.hasToken(tx, id, memberId)) throw conflict('this member is already in the electorate');
    const t = issueTokens(ctx, 1)[0]!;
    await electorate.insertTokens(tx, id, [{ memberId, branchId: m.branchId, weight: m.weight, ...t }]);
    await electorate.recordIssuedLater(tx, id, t.tokenHash);
    await queueBallotMail(tx, 'invitation', await mailFacts(tx, b), [
      { memberId, email: m.email, name: m.name, sealedToken: t.sealedToken },
    ]);
    // Branch and weight: the verifier adds them to the electorate committed at open.
    await record(tx, p, 'electorate.add', id, { memberId, branch: m.branch, weight: m.weight });
  });
  ctx.mailQueued();
}

/** Which of these members are in the ballot's electorate (a member search offers each the right action). */
export async function membersInElectorate(
  ctx: AppContext,
  p: Principal,
  id: string,
  memberIds: string[],
): Promise<Set<string>> {
  requireOrganiser(p);
  requireBallotVisible(p, id);
  return electorate.inElectorate(ctx.db, id, memberIds);
}

/**
 * A new link for a member. Whether the member has voted never shows in the answer, the
 * mail queue's counts or the audit log (unless the ballot shows its voter list): a member
 * who has voted keeps their used token and is mailed a note instead of a link, queued as
 * an invitation like any other, and the log records the attempt, not its outcome.
 */
async function reissueLocked(
  ctx: AppContext,
  tx: Tx,
  b: BallotRow,
  memberId: string,
  by: Principal | { system: string; organisationId: string },
): Promise<void> {
  requireState(b, 'reissue-link');
  const m = await roll.findMember(tx, b.organisationId, memberId);
  if (!m) throw notFound('member');
  // Issued either way, so both outcomes do the same work.
  const t = issueTokens(ctx, 1)[0]!;
  const prior = await electorate.replaceUnusedToken(tx, b.id, memberId, t.tokenHash, t.sealedToken);
  if (!prior) throw notFound("member in this ballot's electorate");
  // One more issued token either way (for a member who voted it can never be used): the verifier
  // counts one per entry of the log, and the count must not tell who voted.
  await electorate.recordIssuedLater(tx, b.id, t.tokenHash);
  await outbox.cancelQueued(tx, b.id, memberId);
  const facts = await mailFacts(tx, b);
  const member = { memberId, email: m.email, name: m.name };
  if (prior.used) await queueVotedNotice(tx, facts, member);
  else
    await queueBallotMail(tx, 'invitation', facts, [{ ...member, sealedToken: t.sealedToken }], undefined, {
      replaces: true,
    });
  await record(tx, by, 'link.reissue', b.id, {
    memberId,
    ...(b.voterListVisible ? { outcome: prior.used ? 'already voted: note sent' : 'new link sent' } : {}),
  });
}

/** Sends a member a new link; the old one stops working at once. A member who voted gets a note instead. */
export async function reissueLink(ctx: AppContext, p: Principal, id: string, memberId: string): Promise<void> {
  try {
    await ctx.db
      .transaction()
      .execute(async (tx) => reissueLocked(ctx, tx, await lockOwnBallot(tx, p, id), memberId, p));
  } catch (err) {
    // A refused attempt is logged too (its transaction was rolled back). Its reason never
    // depends on whether the member voted.
    if (err instanceof ServiceError)
      await record(ctx.db, p, 'link.reissue.refused', id, { memberId, reason: err.message });
    throw err;
  }
  ctx.mailQueued();
}

/**
 * A member asks for a new link by email address. The answer never depends on whether the
 * address is on a roll: the work happens after the caller has been answered.
 */
export async function requestNewLinks(ctx: AppContext, email: string, address: string): Promise<void> {
  await consume(ctx, 'linkRequestPerAddress', address);
  await consume(ctx, 'linkRequestPerEmail', email);
  setImmediate(() => {
    void (async () => {
      for (const t of await electorate.findUnusedTokensByEmail(ctx.db, email)) {
        await ctx.db.transaction().execute(async (tx) => {
          const b = await ballots.lockBallot(tx, t.ballotId, 'update');
          if (b && allows(b.status, 'reissue-link'))
            await reissueLocked(ctx, tx, b, t.memberId, {
              system: 'link request by the member',
              organisationId: t.organisationId,
            });
        });
      }
      ctx.mailQueued();
    })().catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'link request failed'));
  });
}

/** Reminders sent by hand wait this long after the last reminder, so that members are not mailed twice in a row. */
export const REMINDER_COOLDOWN_MS = 30 * 60_000;

export type ReminderState = {
  /** Members a reminder now would go to: those who have not voted and hold a live link. */
  recipients: number;
  lastAt: Date | null;
  /** Until when a reminder by hand is refused; null when one may be sent now. */
  cooldownEndsAt: Date | null;
};

async function reminderStateIn(db: Queryable, b: BallotRow, now = new Date()): Promise<ReminderState> {
  const [recipients, last] = await Promise.all([
    electorate.countReminderRecipients(db, b.id),
    auditData.findLatestEntry(db, b.organisationId, 'reminders.send', b.id),
  ]);
  const endsAt = last ? new Date(last.at.getTime() + REMINDER_COOLDOWN_MS) : null;
  return { recipients, lastAt: last?.at ?? null, cooldownEndsAt: endsAt && endsAt > now ? endsAt : null };
}

export async function reminderState(ctx: AppContext, p: Principal, id: string): Promise<ReminderState> {
  const b = await getBallot(ctx, p, id);
  return reminderStateIn(ctx.db, b);
}

/**
 * A reminder by hand to every member who has not voted. `key` (the form's hidden field, the
 * API's Idempotency-Key) makes a repeat of the same request answer as the first did and
 * send nothing; a new request within the cooldown of the last reminder is refused. Refusals
 * go into the audit log too.
 */
export async function sendReminders(
  ctx: AppContext,
  p: Principal,
  id: string,
  opts: { key?: string } = {},
): Promise<{ queued: number; repeated: boolean }> {
  let result: { queued: number; repeated: boolean };
  try {
    result = await ctx.db.transaction().execute(async (tx) => {
      const b = await lockOwnBallot(tx, p, id);
      if (opts.key !== undefined) {
        const earlier = await auditData.findLatestEntry(tx, b.organisationId, 'reminders.send', id, opts.key);
        if (earlier) return { queued: Number(earlier.details.queued), repeated: true };
      }
      requireState(b, 'send-reminders');
      const state = await reminderStateIn(tx, b);
      if (state.cooldownEndsAt) {
        const seconds = Math.ceil((state.cooldownEndsAt.getTime() - Date.now()) / 1000);
        throw new RateLimited(
          seconds,
          `a reminder went out at ${formatTime(state.lastAt!, b.timeZone)}; the next can be sent from ${formatTime(state.cooldownEndsAt, b.timeZone)} (reminders by hand are ${REMINDER_COOLDOWN_MS / 60_000} minutes apart)`,
        );
      }
      const n = await queueReminders(tx, await mailFacts(tx, b));
      await record(tx, p, 'reminders.send', id, { queued: n, ...(opts.key !== undefined && { key: opts.key }) });
      return { queued: n, repeated: false };
    });
  } catch (err) {
    if (err instanceof ServiceError && (err.kind === 'conflict' || err.kind === 'rate-limited'))
      await record(ctx.db, p, 'reminders.refused', id, { reason: err.message });
    throw err;
  }
  if (!result.repeated) ctx.mailQueued();
  return result;
}

/**
 * Closing: the box is opened, reconciled with the used tokens and committed to by its root,
 * and every question is counted, once: the results are stored with their hash, which the
 * log's close entry records.
 */
async function closeLocked(
  ctx: AppContext,
  tx: Tx,
  b: BallotRow,
  by: Principal | { system: string; organisationId: string },
): Promise<void> {
  if (b.mode.kind === 'verifiable') return closeVerifiable(ctx, tx, b, by);
  // The box is opened and counted in a thread of its own (started now, to be ready by then), stopped however the close ends.
  const thread = CloseThread.start();
  try {
    await closeOffice(ctx, tx, b, by, thread);
  } finally {
    await thread.stop();
  }
}

async function closeOffice(
  ctx: AppContext,
  tx: Tx,
  b: BallotRow,
  by: Principal | { system: string; organisationId: string },
  thread: CloseThread,
): Promise<void> {
  await ballots.moveBallot(tx, b.id, 'close');
  // Before the box is opened: the votes not yet chained are, and the final checkpoint signed.
  const chain = await closeChain(ctx, tx, b.id);
  const opened = await openBox(tx, ctx.keys, b.id, b.k, b.receiptPolicy, thread);
  // Each unit's membership and electorate are fixed now, for the delegate model.
  const members = new Map((await roll.listBranches(tx, b.organisationId)).map((x) => [x.name, Number(x.members)]));
  const electorateOf = new Map((await electorate.turnoutByBranch(tx, b.id)).map((x) => [x.branch, Number(x.eligible)]));
  const part = (br: string) => ({ branch: br, members: members.get(br) ?? 0, electorate: electorateOf.get(br) ?? 0 });
  const units: UnitFacts[] = opened.units.map((u) => ({
    ...u,
    members: u.branches.reduce((n, br) => n + (members.get(br) ?? 0), 0),
    electorate: u.branches.reduce((n, br) => n + (electorateOf.get(br) ?? 0), 0),
    // A pool keeps its branches' sizes, so that the delegate comparison can say what pooling changed.
    ...(u.pooled ? { parts: u.branches.map(part) } : {}),
  }));
  await ballots.recordOpenedBox(tx, b.id, {
    units,
    root: opened.root,
    countsCheck: { votes: opened.votes, byBranch: opened.byBranch },
  });
  const tokens = await commitAtClose(tx, b.id);
  const stored = await countAndStore(tx, b, units, thread);
  const closed = await record(tx, by, 'ballot.close', b.id, {
    votes: opened.votes,
    boxRoot: opened.root,
    tokens,
    units: units.map((u) => u.name),
    resultsHash: stored.resultsHash,
    ...(chain && { chain }),
  });
  // The root leaves the server at once, to every auditor: a later change to the box
  // cannot be hidden by changing the root too. So does the hash of the log entry of the
  // close: it commits to the whole log up to the close, which can then not be rewritten.
  await mailAuditors(tx, b, 'box-root', {
    boxRoot: opened.root,
    votes: String(opened.votes),
    ballotId: b.id,
    closeEntry: String(closed.position),
    closeHash: closed.hash,
    usedRoot: tokens.usedRoot,
  });
}

export async function closeBallot(ctx: AppContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'close');
    await closeLocked(ctx, tx, b, p);
  });
  ctx.mailQueued();
}

/** Closes every open ballot whose closing time has passed. Safe to run on every instance. */
export async function closeDueBallots(ctx: AppContext): Promise<string[]> {
  const closed: string[] = [];
  for (const id of await ballots.listBallotsDueToClose(ctx.db)) {
    await ctx.db.transaction().execute(async (tx) => {
      const b = await ballots.lockBallot(tx, id, 'update');
      if (b && allows(b.status, 'close') && b.closesAt.getTime() <= (await ballots.databaseNow(tx)).getTime()) {
        await closeLocked(ctx, tx, b, { system: 'closing time', organisationId: b.organisationId });
        closed.push(id);
      }
    });
  }
  if (closed.length) ctx.mailQueued();
  return closed;
}

export async function publishBallot(ctx: AppContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'publish');
    // Publishing counts nothing: it makes public the results stored at close, and the log says which.
    const { resultsHash } = await storedResultsIn(tx, b);
    await ballots.moveBallot(tx, id, 'publish');
    await record(tx, p, 'ballot.publish', id, { resultsHash });
  });
}

export async function deleteDraft(ctx: AppContext, p: Principal, id: string): Promise<void> {
  // A draft whose question carries a qualified members' case against stays (refused and logged).
  await requireCasesAgainstKept(ctx.db, p, id, null);
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockOwnBallot(tx, p, id);
    requireState(b, 'delete');
    await requireCasesAgainstKept(tx, p, id, null, { inTx: true });
    // An auditor of this ballot alone, or an invitation to be one, would be left pointing at nothing.
    if (await orgs.countBallotStaff(tx, id))
      throw conflict('this draft has an auditor of its own, or an invitation to audit it: remove them first');
    await ballots.deleteBallot(tx, id);
    await record(tx, p, 'ballot.delete', id, { title: b.title });
  });
}

/** Sends the automatic reminders that are due. Safe on every instance: each is claimed once. */
export async function queueDueReminders(ctx: AppContext): Promise<number> {
  let queued = 0;
  for (const due of await ballots.listDueReminders(ctx.db)) {
    queued += await ctx.db.transaction().execute(async (tx) => {
      const b = await ballots.lockBallot(tx, due.ballotId, 'update');
      if (
        !b ||
        !allows(b.status, 'send-reminders') ||
        !(await ballots.claimReminder(tx, due.ballotId, due.hoursBefore))
      )
        return 0;
      const n = await queueReminders(tx, await mailFacts(tx, b));
      await record(tx, { system: 'reminder schedule', organisationId: b.organisationId }, 'reminders.send', b.id, {
        queued: n,
        hoursBefore: due.hoursBefore,
      });
      return n;
    });
  }
  if (queued) ctx.mailQueued();
  return queued;
}

/** How far an open in flight has come (the open is one transaction: this is read from outside it). */
export async function openingProgress(ctx: AppContext, p: Principal, id: string): Promise<openings.Opening | null> {
  const b = await getBallot(ctx, p, id);
  return allows(b.status, 'open') ? ((await openings.findOpening(ctx.db, id)) ?? null) : null;
}

/** How many current members a draft would invite if opened now (its eligibility rule applied). */
export async function countEligible(ctx: AppContext, p: Principal, id: string): Promise<number> {
  const b = await getBallot(ctx, p, id);
  return roll.countEligibleMembers(ctx.db, p.organisationId, b.eligibility);
}

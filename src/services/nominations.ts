import crypto from 'node:crypto';
import * as ballots from '../data/ballots';
import * as data from '../data/nominations';
import type { ElectionRow, NomineeRow, StoredCandidate } from '../data/nominations';
import * as orgs from '../data/organisations';
import type { Principal } from '../data/organisations';
import * as outbox from '../data/outbox';
import * as positionsData from '../data/positions';
import * as roll from '../data/roll';
import type { Queryable, Tx } from '../db/database';
import { type BallotInput, ballotInputSchema, methodRefused, questionInputSchema } from '@omov/core/domain/ballot';
import {
  acceptanceSchema,
  candidatesOf,
  drawCandidates,
  type ElectionGroup,
  type ElectionInput,
  electionQuestion,
  nominationsReach,
  type NomineeStatus,
} from '@omov/core/domain/nominations';
import { publicSupport } from '@omov/core/domain/proposals';
import { formatTime } from '@omov/core/domain/zones';
import { hashSecret, newSecret, SECRET_PATTERN } from '../platform/secrets';
import { insertDraftBallot } from './ballots';
import { actorOf, requireOrganiser, requireRollVisible, requireState } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { conflict, invalid, notFound, ServiceError } from './errors';
import { issueLink, linkMember } from './proposals';
import { consume } from './rate-limits';

/**
 * Elections with nominations (docs/elections.md, "Nominations"). An organiser sets an
 * election to a committee with a nomination period, a threshold and balance groups; every
 * member is mailed that nominations are open, with their proposals link. Members nominate
 * from that link, once per nominee each; branch secretaries nominate for their branch from
 * theirs. A nominee is mailed a personal link to accept (declaring their groups and writing
 * a statement) or decline. When nominations have closed, the office puts the election on a
 * draft ballot: the nominees who accepted and reached the threshold become the STV
 * question's options, in an order drawn by lot from a random seed committed in the audit
 * log, with the groups as balance rules. The office cannot add or drop a candidate: the
 * attempts are refused and logged.
 */

export const NOMINEE_LINK_PURPOSE = 'nominee-link';
const NOMINEE_LINK_GONE = 'this nomination link is not valid';
const SECRETARY_LINK_GONE = 'this branch secretary link is not valid: ask the organisation for a new one';
const CANDIDATES_FIXED =
  'the office cannot add or drop a candidate: the candidates are the nominees who reached the threshold and accepted, in the order drawn when nominations closed';

/** A nominator: a keyed hash of nominee and member (or branch), so that "once each" holds without a list of who nominated. */
function nominatorOf(ctx: AppContext, nomineeId: string, who: { memberId: string } | { branchId: string }): Buffer {
  const v = 'memberId' in who ? `member:${who.memberId}` : `branch:${who.branchId}`;
  return Buffer.from(ctx.keys.mac('nominator', `${nomineeId}:${v}`), 'base64url');
}

const thresholdOf = (e: ElectionRow) => ({
  members: e.membersNeeded,
  branches: e.branchesNeeded,
  combine: e.combine,
});

export type ElectionStage = 'upcoming' | 'open' | 'closed' | 'scheduled';

const stageOf = (e: ElectionRow, now: Date): ElectionStage =>
  e.ballotId ? 'scheduled' : now < e.opensAt ? 'upcoming' : now < e.closesAt ? 'open' : 'closed';

/* The organiser sets an election. */

export async function createElection(ctx: AppContext, p: Principal, input: ElectionInput): Promise<ElectionView> {
  requireOrganiser(p);
  const id = await ctx.db.transaction().execute(async (tx) => {
    const id = await data.insertElection(tx, {
      organisationId: p.organisationId,
      title: input.title,
      description: input.description,
      seats: input.seats,
      rules: input.rules,
      opensAt: new Date(input.opensAt),
      closesAt: new Date(input.closesAt),
      membersNeeded: input.threshold.members,
      branchesNeeded: input.threshold.branches,
      combine: input.threshold.combine,
      k: input.k,
      statementMax: input.statementMax,
      groups: input.groups,
      createdBy: actorOf(p),
    });
    await record(tx, p, 'election.create', id, { ...input });
    // Opening at once: the members are mailed now; otherwise at the opening time (mailDueNominations).
    if (new Date(input.opensAt) <= (await ballots.databaseNow(tx)))
      await mailNominationsOpen(ctx, tx, (await data.findElection(tx, id))!, p);
    return id;
  });
  ctx.mailQueued();
  return publicElection(ctx, id);
}

/** "Nominations are open": every current member, with a proposals link of their own to nominate from. */
async function mailNominationsOpen(
  ctx: AppContext,
  tx: Tx,
  e: ElectionRow,
  by: Principal | { system: string; organisationId: string },
): Promise<void> {
  const org = await orgs.findOrganisation(tx, e.organisationId);
  const members = await roll.listEligibleMembers(tx, e.organisationId, null);
  const payload = {
    title: e.title,
    opensAt: formatTime(e.opensAt),
    closesAt: formatTime(e.closesAt),
    url: `${ctx.config.publicUrl}/elections/${e.id}`,
  };
  for (const m of members)
    await issueLink(
      ctx,
      tx,
      { ...m, organisationId: e.organisationId, organisationName: org?.name ?? '' },
      { kind: 'nominations-open', payload },
    );
  await data.markOpenMailed(tx, e.id);
  await record(tx, by, 'nominations.open-mail', e.id, { members: members.length });
}

/**
 * The scheduler's part: the members of each election whose nominations have opened since it
 * was set are mailed so, once (the row lock and the mark make it once, whichever process
 * runs it). An election whose nominations closed before any process ran is not mailed.
 */
export async function mailDueNominations(ctx: AppContext): Promise<number> {
  let mailed = 0;
  for (const id of await data.listOpenMailsDue(ctx.db)) {
    const done = await ctx.db.transaction().execute(async (tx) => {
      const e = await data.lockOpenMailDue(tx, id);
      if (!e) return false;
      await mailNominationsOpen(ctx, tx, e, { system: 'nominations', organisationId: e.organisationId });
      return true;
    });
    if (done) mailed++;
  }
  if (mailed) ctx.mailQueued();
  return mailed;
}

/* What anyone sees: the rules, and the nominees who accepted with their counts (pooled under k); never who nominated. */

export type NomineeView = {
  id: string;
  name: string;
  branch: string;
  statement: string | null;
  groups: string[];
  members: number;
  branches: number;
  /** Branches that nominated through their secretaries (a branch's nomination is public). */
  nominatingBranches: string[];
  /** Members' nominations per branch, branches under k pooled. */
  byBranch: Array<{ name: string; supporters: number; pooled: boolean }>;
  /** Whether the nominations reach the threshold. */
  reaches: boolean;
};

export type ElectionView = {
  id: string;
  organisationId: string;
  organisationName: string;
  title: string;
  description: string;
  seats: number;
  rules: ElectionRow['rules'];
  opensAt: Date;
  closesAt: Date;
  stage: ElectionStage;
  threshold: { members: number | null; branches: number | null; combine: 'either' | 'both' };
  k: number;
  statementMax: number;
  groups: ElectionGroup[];
  /** Nominees who accepted. */
  nominees: NomineeView[];
  /** Nominees who have not answered, and who declined: counts only. */
  pending: number;
  declined: number;
  /** The candidates in their drawn order, once the election is on a ballot. */
  candidates: StoredCandidate[] | null;
  orderSeed: string | null;
  ballotId: string | null;
};

async function viewOf(db: Queryable, e: ElectionRow, now: Date): Promise<ElectionView> {
  const [nominees, org] = await Promise.all([data.listNominees(db, e.id), orgs.findOrganisation(db, e.organisationId)]);
  const count = (s: NomineeStatus) => nominees.filter((n) => n.status === s).length;
  return {
    id: e.id,
    organisationId: e.organisationId,
    organisationName: org?.name ?? '',
    title: e.title,
    description: e.description,
    seats: e.seats,
    rules: e.rules,
    opensAt: e.opensAt,
    closesAt: e.closesAt,
    stage: stageOf(e, now),
    threshold: thresholdOf(e),
    k: e.k,
    statementMax: e.statementMax,
    groups: e.groups,
    nominees: await Promise.all(
      nominees
        .filter((n) => n.status === 'accepted')
        .map(async (n) => {
          const counts = await data.membersByBranch(db, e.organisationId, n.id);
          return {
            id: n.id,
            name: n.name,
            branch: n.branch,
            statement: n.statement,
            groups: n.groups,
            members: n.members,
            branches: n.branches,
            nominatingBranches: await data.nominatingBranches(db, n.id),
            byBranch: publicSupport(
              counts.filter((c) => c.supporters > 0),
              e.k,
            ),
            reaches: nominationsReach(thresholdOf(e), n),
          };
        }),
    ),
    pending: count('pending'),
    declined: count('declined'),
    candidates: e.candidates,
    orderSeed: e.orderSeed,
    ballotId: e.ballotId,
  };
}

export async function publicElection(ctx: AppContext, id: string): Promise<ElectionView> {
  const e = await data.findElection(ctx.db, id);
  if (!e) throw notFound('election');
  return viewOf(ctx.db, e, await ballots.databaseNow(ctx.db));
}

export async function publicElections(ctx: AppContext, organisationId: string): Promise<ElectionView[]> {
  const org = await orgs.findOrganisation(ctx.db, organisationId);
  if (!org) throw notFound('organisation');
  const now = await ballots.databaseNow(ctx.db);
  return Promise.all((await data.listElections(ctx.db, organisationId)).map((e) => viewOf(ctx.db, e, now)));
}

export async function staffElections(ctx: AppContext, p: Principal): Promise<ElectionView[]> {
  requireRollVisible(p);
  return publicElections(ctx, p.organisationId);
}

/* Nominating: members from their proposals link, branches through their secretary's link. */

export type NominationTarget = { nomineeId: string } | { email: string };

/** Whether nominations are open now. */
async function requireNominationsOpen(tx: Queryable, e: ElectionRow): Promise<void> {
  const now = await ballots.databaseNow(tx);
  if (now < e.opensAt) throw conflict(`nominations open at ${formatTime(e.opensAt)}`);
  if (now >= e.closesAt) throw conflict('nominations have closed');
}

/** The nominee named: an existing one of this election, or a current member by their address (a new nominee, mailed a link). */
async function nomineeFor(
  ctx: AppContext,
  tx: Tx,
  e: ElectionRow,
  target: NominationTarget,
): Promise<{ nominee: NomineeRow; isNew: boolean }> {
  if ('nomineeId' in target) {
    const n = await data.findNominee(tx, target.nomineeId);
    if (!n || n.electionId !== e.id || n.status === 'pending') throw notFound('nominee');
    if (n.status === 'declined') throw conflict(`${n.name} has declined the nomination`);
    return { nominee: n, isNew: false };
  }
  const m = await data.findCurrentMemberByEmail(tx, e.organisationId, target.email);
  if (!m)
    throw invalid('no current member has this address', [
      { path: 'email', message: 'the nominee must be a current member: give the address the roll has for them' },
    ]);
  const existing = await data.findNomineeOf(tx, e.id, m.id);
  if (existing) {
    if (existing.status === 'declined') throw conflict(`${existing.name} has declined the nomination`);
    return { nominee: existing, isNew: false };
  }
  const token = newSecret();
  const id = (await data.insertNominee(tx, {
    electionId: e.id,
    memberId: m.id,
    branchId: m.branchId,
    name: m.name,
    email: m.email,
    tokenHash: hashSecret(token),
  }))!;
  const org = await orgs.findOrganisation(tx, e.organisationId);
  await outbox.enqueue(tx, [
    {
      organisationId: e.organisationId,
      ballotId: null,
      memberId: m.id,
      kind: 'nomination',
      recipient: m.email,
      payload: {
        organisationName: org?.name ?? '',
        name: m.name,
        title: e.title,
        closesAt: formatTime(e.closesAt),
        statementMax: String(e.statementMax),
        url: `${ctx.config.publicUrl}/elections/${e.id}`,
      },
      sealedSecret: ctx.keys.seal(NOMINEE_LINK_PURPOSE, token),
    },
  ]);
  await record(tx, { system: 'nominations', organisationId: e.organisationId }, 'nominee.new', e.id, {
    nomineeId: id,
    name: m.name,
  });
  return { nominee: (await data.findNominee(tx, id))!, isNew: true };
}

/**
 * When a nomination brings the nominee's nominations to the threshold, the nominee is mailed
 * so ("you have enough nominations to stand"), saying whether they have accepted yet and until
 * when they can: once, whatever nominations follow.
 */
async function mailIfReaching(ctx: AppContext, tx: Tx, e: ElectionRow, nominee: NomineeRow): Promise<void> {
  if (!nominationsReach(thresholdOf(e), await data.nomineeCounts(tx, nominee.id))) return;
  if (!(await data.markThresholdMailed(tx, nominee.id))) return;
  const org = await orgs.findOrganisation(tx, e.organisationId);
  const accepted = nominee.status === 'accepted';
  await outbox.enqueue(tx, [
    {
      organisationId: e.organisationId,
      ballotId: null,
      memberId: nominee.memberId,
      kind: 'nominee-threshold',
      recipient: nominee.email,
      payload: {
        organisationName: org?.name ?? '',
        name: nominee.name,
        title: e.title,
        closesAt: formatTime(e.closesAt),
        url: `${ctx.config.publicUrl}/elections/${e.id}`,
        // Sections of the template: one of the two is non-empty.
        accepted: accepted ? 'yes' : '',
        pending: accepted ? '' : 'yes',
      },
      sealedSecret: null,
    },
  ]);
  await record(tx, { system: 'nominations', organisationId: e.organisationId }, 'nominee.threshold-mail', e.id, {
    nomineeId: nominee.id,
    accepted,
  });
}

async function addNomination(
  ctx: AppContext,
  electionId: string,
  organisationId: string,
  target: NominationTarget,
  by: { memberId: string; branchId: string } | { branchId: string; branch: string },
): Promise<{ nomineeId: string; name: string; isNew: boolean }> {
  // Naming by address answers whether the address is a member's and mails them: counted per
  // nominator, refused or not, so a link cannot sweep the roll or flood members' inboxes.
  if ('email' in target)
    await consume(
      ctx,
      'nominateByAddressPerNominator',
      'memberId' in by ? `member:${by.memberId}` : `branch:${by.branchId}`,
    );
  const out = await ctx.db.transaction().execute(async (tx) => {
    const e = await data.lockElection(tx, electionId);
    if (!e || e.organisationId !== organisationId) throw notFound('election');
    await requireNominationsOpen(tx, e);
    const { nominee, isNew } = await nomineeFor(ctx, tx, e, target);
    if ('memberId' in by && nominee.memberId === by.memberId)
      throw conflict('members nominate others: a nomination of oneself is not taken');
    const kind = 'memberId' in by ? 'member' : 'branch';
    const added = await data.insertNomination(tx, {
      nomineeId: nominee.id,
      nominator: nominatorOf(ctx, nominee.id, 'memberId' in by ? { memberId: by.memberId } : { branchId: by.branchId }),
      kind,
      branchId: by.branchId,
    });
    if (!added)
      throw conflict(
        kind === 'member'
          ? `you have already nominated ${nominee.name}`
          : `your branch has already nominated ${nominee.name}`,
      );
    await record(tx, { system: 'nominations', organisationId }, 'nomination.add', e.id, {
      nomineeId: nominee.id,
      kind,
      // A branch's nomination is its meeting's and public; a member's nominates anonymously.
      ...('branch' in by ? { branch: by.branch } : {}),
    });
    await mailIfReaching(ctx, tx, e, nominee);
    return { nomineeId: nominee.id, name: nominee.name, isNew };
  });
  ctx.mailQueued();
  return out;
}

/** A member nominates, from their proposals link. */
export async function nominateAsMember(
  ctx: AppContext,
  token: string,
  address: string,
  electionId: string,
  target: NominationTarget,
) {
  const m = await linkMember(ctx, token, address);
  return addNomination(ctx, electionId, m.organisationId, target, { memberId: m.memberId, branchId: m.branchId });
}

async function linkSecretary(ctx: AppContext, token: string, address: string) {
  const s = SECRET_PATTERN.test(token) ? await positionsData.findSecretaryByLink(ctx.db, hashSecret(token)) : undefined;
  if (!s) {
    await consume(ctx, 'badLinkPerAddress', address);
    throw new ServiceError('not-found', SECRETARY_LINK_GONE);
  }
  return s;
}

/** A branch secretary nominates for their branch, from their secretary's link. */
export async function nominateAsBranch(
  ctx: AppContext,
  token: string,
  address: string,
  electionId: string,
  target: NominationTarget,
) {
  const s = await linkSecretary(ctx, token, address);
  return addNomination(ctx, electionId, s.organisationId, target, { branchId: s.branchId, branch: s.branch });
}

export type NominatorPage = {
  who: { name: string; branch: string; organisationName: string; kind: 'member' | 'branch' };
  elections: Array<ElectionView & { nominated: string[] }>;
};

async function nominatorPage(
  ctx: AppContext,
  organisationId: string,
  who: NominatorPage['who'],
  nominator: (nomineeId: string) => Buffer,
): Promise<NominatorPage> {
  const list = await publicElections(ctx, organisationId);
  const out = [];
  for (const e of list) {
    const ids = e.nominees.map((n) => n.id);
    const hashes = ids.map(nominator);
    const found = await data.findNominated(ctx.db, hashes);
    out.push({ ...e, nominated: ids.filter((_, i) => found.has(hashes[i]!.toString('hex'))) });
  }
  return { who, elections: out };
}

/** A member's elections: each with the nominees who accepted, and which of them this member nominated. */
export async function memberElections(ctx: AppContext, token: string, address: string): Promise<NominatorPage> {
  const m = await linkMember(ctx, token, address);
  return nominatorPage(
    ctx,
    m.organisationId,
    { name: m.name, branch: m.branch, organisationName: m.organisationName, kind: 'member' },
    (id) => nominatorOf(ctx, id, { memberId: m.memberId }),
  );
}

/** A branch secretary's elections: which nominees their branch nominated. */
export async function branchElections(ctx: AppContext, token: string, address: string): Promise<NominatorPage> {
  const s = await linkSecretary(ctx, token, address);
  return nominatorPage(
    ctx,
    s.organisationId,
    { name: s.name, branch: s.branch, organisationName: s.organisationName, kind: 'branch' },
    (id) => nominatorOf(ctx, id, { branchId: s.branchId }),
  );
}

/* The nominee answers. */

async function linkNominee(ctx: AppContext, token: string, address: string): Promise<NomineeRow> {
  const n = SECRET_PATTERN.test(token) ? await data.findNomineeByLink(ctx.db, hashSecret(token)) : undefined;
  if (!n) {
    await consume(ctx, 'badLinkPerAddress', address);
    throw new ServiceError('not-found', NOMINEE_LINK_GONE);
  }
  return n;
}

export type NomineePage = {
  nominee: Pick<NomineeRow, 'id' | 'name' | 'branch' | 'status' | 'statement' | 'groups'> & {
    members: number;
    branches: number;
  };
  election: ElectionView;
  /** Whether the nominee may still answer (until nominations close). */
  open: boolean;
};

export async function nomineePage(ctx: AppContext, token: string, address: string): Promise<NomineePage> {
  const n = await linkNominee(ctx, token, address);
  const e = (await data.findElection(ctx.db, n.electionId))!;
  const now = await ballots.databaseNow(ctx.db);
  const counts = (await data.listNominees(ctx.db, e.id)).find((x) => x.id === n.id)!;
  return {
    nominee: {
      id: n.id,
      name: n.name,
      branch: n.branch,
      status: n.status,
      statement: n.statement,
      groups: n.groups,
      members: counts.members,
      branches: counts.branches,
    },
    election: await viewOf(ctx.db, e, now),
    open: now < e.closesAt && !e.candidates,
  };
}

const textHash = (t: string | null) => (t ? crypto.createHash('sha256').update(t, 'utf8').digest('hex') : null);

/**
 * The nominee accepts (with their statement and the groups they declare) or declines, and
 * may change their answer until nominations close. In the audit log, the statement as its
 * SHA-256.
 */
export async function answerNomination(
  ctx: AppContext,
  token: string,
  address: string,
  body: { accept: boolean; statement?: string | undefined; groups?: string[] | undefined },
): Promise<NomineePage> {
  const n = await linkNominee(ctx, token, address);
  await ctx.db.transaction().execute(async (tx) => {
    const e = (await data.lockElection(tx, n.electionId))!;
    if ((await ballots.databaseNow(tx)) >= e.closesAt || e.candidates)
      throw conflict('nominations have closed: the answer can no longer change');
    let answer: { status: 'accepted' | 'declined'; statement: string | null; groups: string[] } = {
      status: 'declined',
      statement: null,
      groups: [],
    };
    if (body.accept) {
      const parsed = acceptanceSchema(
        e.statementMax,
        e.groups.map((g) => g.group),
      ).safeParse({ statement: body.statement ?? '', groups: body.groups ?? [] });
      if (!parsed.success)
        throw invalid(
          'the acceptance is not valid',
          parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      answer = { status: 'accepted', ...parsed.data };
    }
    await data.answer(tx, n.id, answer);
    await record(
      tx,
      { system: 'nominations', organisationId: e.organisationId },
      answer.status === 'accepted' ? 'nominee.accept' : 'nominee.decline',
      e.id,
      { nomineeId: n.id, name: n.name, groups: answer.groups, statementHash: textHash(answer.statement) },
    );
  });
  return nomineePage(ctx, token, address);
}

/* When nominations have closed: the candidates go on a ballot, and stay as they are. */

/**
 * The office puts a closed election on a draft ballot of the organisation, as its last
 * question, or on a new draft ballot of its own (its title and times given). The first time, the candidates are fixed and their order drawn from a random
 * seed, both committed in the audit log (with every nominee's counts and answer); a later
 * scheduling (the draft ballot was deleted) puts the same candidates in the same order.
 */
export type ScheduleTarget =
  | { ballotId: string }
  | { ballot: { title: string; opensAt: string; closesAt: string; timeZone?: string | undefined } };

export async function scheduleElection(ctx: AppContext, p: Principal, id: string, target: ScheduleTarget) {
  requireOrganiser(p);
  await ctx.db.transaction().execute(async (tx) => {
    const e = await data.lockElection(tx, id);
    if (!e || e.organisationId !== p.organisationId) throw notFound('election');
    if ((await ballots.databaseNow(tx)) < e.closesAt)
      throw conflict(`nominations close at ${formatTime(e.closesAt)}: the election goes on a ballot after that`);
    if (e.ballotId) throw conflict('this election is already on a ballot');
    const nominees = await data.listNominees(tx, id);
    let candidates = e.candidates;
    let seed = e.orderSeed;
    if (!candidates || !seed) {
      seed = crypto.randomBytes(32).toString('hex');
      const standing = candidatesOf(
        thresholdOf(e),
        nominees.map((n) => ({ ...n })),
      );
      candidates = drawCandidates(standing, seed, id).map((c) => ({
        nomineeId: c.id,
        label: c.label,
        statement: c.statement ?? '',
        groups: c.groups,
      }));
    }
    if (candidates.length <= e.seats)
      throw conflict(
        `${candidates.length} candidate${candidates.length === 1 ? '' : 's'} for ${e.seats} seat${e.seats === 1 ? '' : 's'}: there is no contest to put to a ballot`,
      );
    const { question, notes } = electionQuestion(e, candidates);
    const parsed = questionInputSchema.safeParse(question);
    if (!parsed.success)
      throw conflict(`the candidates cannot make a ballot question: ${parsed.error.issues[0]!.message}`);
    let ballotId: string;
    let position: number;
    if ('ballotId' in target) {
      ballotId = target.ballotId;
      const b = await ballots.lockBallot(tx, ballotId, 'update');
      if (!b || b.organisationId !== p.organisationId) throw notFound('ballot');
      requireState(b, 'edit');
      // STV with balance rules is counted from the shuffled rankings like any ranked question.
      const refused = methodRefused(b.mode, parsed.data.method);
      if (refused)
        throw conflict(
          `an election is counted by STV, a ranked method, and this ballot is verifiable: ${refused}; put it on an office ballot`,
        );
      position = (await ballots.listQuestions(tx, ballotId)).length;
      await ballots.insertQuestion(tx, ballotId, {
        position,
        title: parsed.data.title,
        description: parsed.data.description,
        method: parsed.data.method,
        settings: parsed.data.settings,
        options: parsed.data.options!.map((o) => ({ label: o.label, description: o.description })),
        comparisons: [],
      });
    } else {
      // A draft ballot of its own, with the election as its one question; the organiser adds the rest in the builder.
      const input = ballotInputSchema.safeParse({ ...target.ballot, questions: [question] });
      if (!input.success)
        throw invalid(
          'the new ballot is not valid',
          input.error.issues.map((i) => ({ path: ['ballot', ...i.path].join('.'), message: i.message })),
        );
      ballotId = await insertDraftBallot(tx, p, input.data);
      position = 0;
    }
    const first = !e.candidates;
    await data.markScheduled(tx, id, { ballotId, orderSeed: seed, candidates });
    await record(tx, p, 'election.schedule', id, {
      ballotId,
      position,
      ...(first
        ? {
            // The commitment: every nominee's counts and answer, the seed, and the order it draws.
            nominees: nominees.map((n) => ({
              id: n.id,
              name: n.name,
              branch: n.branch,
              status: n.status,
              members: n.members,
              branches: n.branches,
              statementHash: textHash(n.statement),
              groups: n.groups,
            })),
            orderSeed: seed,
          }
        : { again: true }),
      candidates: candidates.map((c) => ({ nomineeId: c.nomineeId, label: c.label, groups: c.groups })),
      notes,
    });
  });
  return publicElection(ctx, id);
}

/** The office asks to add a candidate or drop one: refused, and the attempt logged. */
export async function refuseCandidateChange(
  ctx: AppContext,
  p: Principal,
  id: string,
  asked: { add?: unknown; drop?: string },
): Promise<never> {
  requireOrganiser(p);
  const e = await data.findElection(ctx.db, id);
  if (!e || e.organisationId !== p.organisationId) throw notFound('election');
  await record(ctx.db, p, 'election.candidates-refused', id, asked);
  throw conflict(CANDIDATES_FIXED);
}

/**
 * An edit of a draft ballot carrying an election must keep its question word for word: the
 * same candidates in the same order, their statements, the seats and the balance rules.
 * Otherwise it is refused (409), and the attempt is logged (outside the edit's transaction,
 * which the refusal undoes).
 */
export async function requireElectionsKept(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  input: BallotInput,
): Promise<void> {
  for (const e of await data.listElectionsOn(ctx.db, ballotId)) {
    if (e.organisationId !== p.organisationId) continue;
    const want = questionInputSchema.parse(electionQuestion(e, e.candidates ?? []).question);
    const key = (q: BallotInput['questions'][number]) =>
      JSON.stringify([
        q.title,
        q.description,
        q.method,
        q.options?.map((o) => [o.label, o.description]) ?? null,
        (q.settings as { seats?: number }).seats,
        (q.settings as { rules?: string }).rules ?? null,
        (q.settings as { balance?: unknown }).balance ?? null,
      ]);
    if (input.questions.some((q) => key(q) === key(want))) continue;
    const sameTitle = input.questions.find((q) => q.title === want.title);
    await record(ctx.db, p, 'election.candidates-refused', e.id, {
      ballotId,
      asked: sameTitle ? { options: sameTitle.options?.map((o) => o.label) ?? null } : { removed: true },
    });
    throw conflict(`the election "${e.title}" must stay on this ballot as it is: ${CANDIDATES_FIXED}`);
  }
}

import * as ballots from '../data/ballots';
import type { Principal } from '../data/organisations';
import * as orgs from '../data/organisations';
import * as outbox from '../data/outbox';
import * as data from '../data/positions';
import * as proposalData from '../data/proposals';
import type { LinkSecretary, PositionRecord, SecretaryRow } from '../data/positions';
import * as roll from '../data/roll';
import type { Queryable, Tx } from '../db/database';
import type { Question } from '@omov/core/domain/ballot';
import type { AgendaSettings } from '@omov/core/domain/amendments';
import { amendmentStance } from '@omov/core/domain/positions';
import { VARIANT_WORDS } from '@omov/core/domain/proposals';
import { allows } from '@omov/core/domain/lifecycle';
import { formatTime } from '@omov/core/domain/zones';
import { hashSecret, newSecret, SECRET_PATTERN } from '../platform/secrets';
import { actorOf, requireBallotVisible, requireOrganiser, requireRollVisible } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { conflict, invalid, notFound, ServiceError } from './errors';
import { consume } from './rate-limits';

/**
 * Branch meetings' positions (docs/proposals.md, "Branch positions"). The organiser names a
 * secretary for a branch, who is mailed a personal link; from it, and only from it, the
 * secretary records the position their branch meeting adopted on each question of a draft
 * ballot (an option, or no position) and the meeting's attendance. Every change is in the
 * audit log. At opening the positions are fixed (the service refuses, and the table's
 * trigger refuses any writer) and committed with their question in the definition hash;
 * the results set them beside each branch's votes (core: comparePositions).
 */

export const SECRETARY_LINK_PURPOSE = 'secretary-link';
const LINK_GONE = 'this branch secretary link is not valid: ask the organisation for a new one';
const FIXED = 'the branch positions on this ballot were fixed when it opened: they cannot change';

/** A secretary, with the moment their link stops working. */
export type Secretary = SecretaryRow & { linkExpiresAt: Date };

/**
 * A secretary's link is a bearer credential that travels by email: it works for
 * SECRETARY_LINK_DAYS after they were named, then the organiser names them again.
 */
const linkExpiry = (ctx: AppContext, namedAt: Date): Date =>
  new Date(namedAt.getTime() + ctx.config.secretaryLinkDays * 86_400_000);

const withExpiry = (ctx: AppContext, s: SecretaryRow): Secretary => ({
  ...s,
  linkExpiresAt: linkExpiry(ctx, s.namedAt),
});

export async function listSecretaries(ctx: AppContext, p: Principal): Promise<Secretary[]> {
  requireRollVisible(p);
  return (await data.listSecretaries(ctx.db, p.organisationId)).map((s) => withExpiry(ctx, s));
}

async function branchNamed(tx: Tx, organisationId: string, name: string): Promise<{ id: string; name: string }> {
  const branches = await roll.listBranches(tx, organisationId);
  const branch = branches.find((b) => b.name === name);
  if (!branch)
    throw invalid(`no branch '${name}'`, [
      {
        path: 'branch',
        message: `no branch '${name}'; the branches are ${branches.map((b) => b.name).join(', ') || 'none yet (import the roll)'}`,
      },
    ]);
  return branch;
}

/**
 * Names a branch's secretary (or a new one) and mails them a new personal link; a link
 * mailed before stops working. Organisers only; in the audit log.
 */
export async function nameSecretary(
  ctx: AppContext,
  p: Principal,
  input: { branch: string; name: string; email: string },
): Promise<Secretary> {
  requireOrganiser(p);
  const row = await ctx.db.transaction().execute(async (tx) => {
    const branch = await branchNamed(tx, p.organisationId, input.branch);
    const org = await orgs.findOrganisation(tx, p.organisationId);
    const token = newSecret();
    await data.upsertSecretary(tx, {
      organisationId: p.organisationId,
      branchId: branch.id,
      name: input.name,
      email: input.email,
      tokenHash: hashSecret(token),
      namedBy: actorOf(p),
    });
    await outbox.enqueue(tx, [
      {
        organisationId: p.organisationId,
        ballotId: null,
        memberId: null,
        kind: 'secretary-link',
        recipient: input.email,
        payload: {
          organisationName: org?.name ?? '',
          name: input.name,
          branch: branch.name,
          linkExpiresAt: formatTime(linkExpiry(ctx, new Date())),
        },
        sealedSecret: ctx.keys.seal(SECRETARY_LINK_PURPOSE, token),
      },
    ]);
    await record(tx, p, 'branch-secretary.name', null, {
      branch: branch.name,
      name: input.name,
      email: input.email,
    });
    return withExpiry(
      ctx,
      (await data.listSecretaries(tx, p.organisationId)).find((s) => s.branchId === branch.id)!,
    );
  });
  ctx.mailQueued();
  return row;
}

/**
 * Withdraws a branch's secretary: their link stops working at once (a secretary who left,
 * or a link mailed to the wrong address). The positions they recorded stay. Organisers only;
 * in the audit log.
 */
export async function withdrawSecretary(ctx: AppContext, p: Principal, branchName: string): Promise<void> {
  requireOrganiser(p);
  await ctx.db.transaction().execute(async (tx) => {
    const branch = await branchNamed(tx, p.organisationId, branchName);
    if (!(await data.deleteSecretary(tx, p.organisationId, branch.id)))
      throw notFound(`a secretary of ${branch.name} branch`);
    await record(tx, p, 'branch-secretary.withdraw', null, { branch: branch.name });
  });
}

/** The secretary a link belongs to; an unknown link counts against the caller's address, like a voting link. */
export async function linkSecretary(ctx: AppContext, token: string, address: string): Promise<LinkSecretary> {
  const s = SECRET_PATTERN.test(token) ? await data.findSecretaryByLink(ctx.db, hashSecret(token)) : undefined;
  if (!s) {
    await consume(ctx, 'badLinkPerAddress', address);
    throw new ServiceError('not-found', LINK_GONE);
  }
  const expiry = linkExpiry(ctx, s.namedAt);
  if (Date.now() >= expiry.getTime())
    throw new ServiceError(
      'forbidden',
      `this branch secretary link expired at ${formatTime(expiry)}: ask the organisation to name you again for a new one`,
    );
  return s;
}

export type PositionQuestion = Pick<Question, 'id' | 'position' | 'title' | 'description' | 'method'> & {
  options: string[];
  /**
   * On an amended motion (one ranked question across its variants): the amendments on the
   * ballot, each with its variant's option. Absent on any other question.
   */
  amendments?: Array<{ id: string; title: string; option: string }>;
  /** On an amended motion: the options that mean "for the motion unamended" and "against". */
  unamended?: string;
  against?: string | null;
  /** This branch's meeting's position: undefined when none is recorded, null for "no position". */
  recorded: { position: string | null; attendance: number; recordedAt: Date } | undefined;
};

export type SecretaryBallot = {
  id: string;
  title: string;
  status: string;
  opensAt: Date;
  /** Whether positions can still be recorded (a draft). */
  open: boolean;
  questions: PositionQuestion[];
};

export type SecretaryPage = {
  secretary: Pick<LinkSecretary, 'name' | 'branch' | 'organisationName'>;
  ballots: SecretaryBallot[];
};

/** Every draft and open office ballot of the organisation, with this branch's positions on its questions. */
export async function secretaryPage(ctx: AppContext, token: string, address: string): Promise<SecretaryPage> {
  const s = await linkSecretary(ctx, token, address);
  const list = (await ballots.listBallots(ctx.db, s.organisationId)).filter(
    (b) => b.mode.kind === 'office' && (b.status === 'draft' || b.status === 'open'),
  );
  const out: SecretaryBallot[] = [];
  for (const b of list) {
    const [questions, recorded] = await Promise.all([
      ballots.listQuestions(ctx.db, b.id),
      data.listPositions(ctx.db, b.id, s.branchId),
    ]);
    const of = new Map(recorded.map((r) => [r.questionId, r]));
    out.push({
      id: b.id,
      title: b.title,
      status: b.status,
      opensAt: b.opensAt,
      open: allows(b.status, 'edit'),
      questions: await Promise.all(
        questions.map(async (q) => {
          const r = of.get(q.id);
          const amendments = await amendmentsOnQuestion(ctx.db, b.id, q);
          const agenda = agendaOf(q);
          return {
            id: q.id,
            position: q.position,
            title: q.title,
            description: q.description,
            method: q.method,
            options: q.options.map((o) => o.label),
            ...(amendments && agenda
              ? {
                  amendments,
                  unamended: q.options[agenda.original]!.label,
                  against: agenda.rejection === null ? null : q.options[agenda.rejection]!.label,
                }
              : {}),
            recorded: r && { position: r.position, attendance: r.attendance, recordedAt: r.recordedAt },
          };
        }),
      ),
    });
  }
  return { secretary: { name: s.name, branch: s.branch, organisationName: s.organisationName }, ballots: out };
}

const agendaOf = (q: Pick<Question, 'settings'>) => (q.settings as { agenda?: AgendaSettings } | undefined)?.agenda;

/**
 * The amendments an amended motion's question holds as variants, each with its option's
 * label (the Nth amendment tabled is the agenda's Nth amendment option, whatever the
 * declared order); null when the question is not a members' motion with amendments on this
 * ballot (docs/proposals.md, "Branch positions").
 */
export async function amendmentsOnQuestion(
  db: Queryable,
  ballotId: string,
  q: Pick<Question, 'title' | 'description' | 'settings' | 'options'>,
): Promise<Array<{ id: string; title: string; option: string }> | null> {
  const agenda = agendaOf(q);
  if (!agenda) return null;
  // An amended motion's question is the motion word for word; an amended question's is its version question.
  const motion = (await proposalData.listScheduledOn(db, ballotId)).find(
    (p) =>
      (p.title === q.title && p.text === q.description) ||
      (p.kind === 'question' && q.title === VARIANT_WORDS.versionQuestion(p.title)),
  );
  if (!motion) return null;
  const amendments = (await proposalData.listAmendments(db, motion.id)).filter(
    (a) => a.status === 'scheduled' && a.ballotId === ballotId,
  );
  return amendments.flatMap((a, i) => {
    const option = q.options[agenda.amendments[i] ?? -1]?.label;
    return option === undefined ? [] : [{ id: a.id, title: a.title, option }];
  });
}

/**
 * The secretary records (or changes) their branch meeting's position on one question of a
 * draft ballot: an option's label, or null for no position, and the attendance. On an
 * amended motion the position may name an amendment by its id instead (`amendment`): the
 * meeting supports the motion as that amendment words it, its variant's option. Refused
 * once the ballot has opened.
 */
export async function recordPosition(
  ctx: AppContext,
  token: string,
  address: string,
  input: { ballotId: string; questionId: string; position?: string | null; amendment?: string; attendance: number },
): Promise<PositionRecord> {
  const s = await linkSecretary(ctx, token, address);
  return ctx.db.transaction().execute(async (tx) => {
    // Shared: the opening (which locks the ballot for update) waits, or goes first and this is refused.
    const b = await ballots.lockBallot(tx, input.ballotId, 'share');
    if (!b || b.organisationId !== s.organisationId || b.mode.kind !== 'office') throw notFound('ballot');
    if (!allows(b.status, 'edit')) throw conflict(FIXED);
    const q = (await ballots.listQuestions(tx, b.id)).find((x) => x.id === input.questionId);
    if (!q) throw notFound('question');
    const amendments = await amendmentsOnQuestion(tx, b.id, q);
    let position: string | null;
    if (input.amendment !== undefined) {
      const a = amendments?.find((x) => x.id === input.amendment);
      if (!a)
        throw invalid('no such amendment on this question', [
          {
            path: 'amendment',
            message: amendments?.length
              ? `not an amendment on "${q.title}" on this ballot: its amendments are ${amendments.map((x) => `${x.id} (${x.option})`).join(', ')}`
              : `"${q.title}" is not an amended motion: give its position by an option's label`,
          },
        ]);
      if (input.position !== undefined && input.position !== a.option)
        throw invalid('give the position or the amendment, not two different ones', [
          { path: 'position', message: `the amendment ${a.id} is the option '${a.option}', not '${input.position}'` },
        ]);
      position = a.option;
    } else if (input.position === undefined) {
      throw invalid('give the position', [
        {
          path: 'position',
          message: "give an option's label, null for no position, or on an amended motion an amendment",
        },
      ]);
    } else position = input.position;
    const option = position === null ? null : q.options.find((o) => o.label === position);
    if (option === undefined)
      throw invalid(`'${position}' is not an option of this question`, [
        {
          path: 'position',
          message: `'${position}' is not an option of "${q.title}": choose one of ${q.options.map((o) => o.label).join(', ')}, or no position`,
        },
      ]);
    const before = (await data.listPositions(tx, b.id, s.branchId)).find((r) => r.questionId === q.id);
    await data.upsertPosition(tx, {
      questionId: q.id,
      branchId: s.branchId,
      optionId: option?.id ?? null,
      attendance: input.attendance,
    });
    // On an amended motion the log says what the position means: the variant, and the amendment by its id.
    const labels = q.options.map((o) => o.label);
    const meaning = (p: string | null) => {
      const stance = p === null || !amendments ? null : amendmentStance(agendaOf(q), labels, p);
      if (!stance) return {};
      const amendment = stance.kind === 'amendment' ? amendments!.find((a) => a.option === p)?.id : undefined;
      return { stance: stance.kind, ...(amendment ? { amendment } : {}) };
    };
    await record(tx, { system: 'branch secretary', organisationId: s.organisationId }, 'branch-position.record', b.id, {
      question: q.id,
      branch: s.branch,
      secretary: s.name,
      before: before ? { position: before.position, attendance: before.attendance, ...meaning(before.position) } : null,
      after: { position, attendance: input.attendance, ...meaning(position) },
    });
    return (await data.listPositions(tx, b.id, s.branchId)).find((r) => r.questionId === q.id)!;
  });
}

/** The positions recorded on a ballot's questions, for staff (fixed once it has opened). */
export async function ballotPositions(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
): Promise<{ fixed: boolean; positions: PositionRecord[] }> {
  requireBallotVisible(p, ballotId);
  const b = await ballots.findBallot(ctx.db, p.organisationId, ballotId);
  if (!b) throw notFound('ballot');
  return { fixed: !allows(b.status, 'edit'), positions: await data.listPositions(ctx.db, ballotId) };
}

/** "Your branch meeting (Leeds, 23 present) supported: Yes" for each question the member's branch took a position on. */
export function memberBranchPositions(
  questions: ReadonlyArray<Question>,
  branch: string,
): Array<{ question: Question; position: string | null; attendance: number }> {
  return questions.flatMap((q) => {
    const p = q.positions?.find((x) => x.branch === branch);
    return p ? [{ question: q, position: p.position, attendance: p.attendance }] : [];
  });
}

/**
 * An edit of a draft writes its questions anew: the positions recorded on them are put back
 * on the question of the same title, where it still has the option named (or for no
 * position); a position whose question or option is gone goes with it.
 */
export async function keepPositions(tx: Tx, ballotId: string): Promise<() => Promise<void>> {
  const [questions, before] = await Promise.all([
    ballots.listQuestions(tx, ballotId),
    data.listPositions(tx, ballotId),
  ]);
  const titleOf = new Map(questions.map((q) => [q.id, q.title]));
  return async () => {
    if (before.length === 0) return;
    const after = await ballots.listQuestions(tx, ballotId);
    for (const p of before) {
      const q = after.find((x) => x.title === titleOf.get(p.questionId));
      const option = p.position === null ? null : q?.options.find((o) => o.label === p.position);
      if (q && option !== undefined)
        await data.upsertPosition(tx, {
          questionId: q.id,
          branchId: p.branchId,
          optionId: option?.id ?? null,
          attendance: p.attendance,
        });
    }
  };
}

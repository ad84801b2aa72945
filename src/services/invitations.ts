import { z } from 'zod';
import type { ClaimedMessage } from '../data/outbox';
import * as ballotMail from '../data/ballot-mail';
import type { BallotWording, MailKind } from '../data/ballot-mail';
import type { Principal } from '../data/organisations';
import * as outbox from '../data/outbox';
import * as electorate from '../data/electorate';
import type { Queryable } from '../db/database';
import type { Question } from '@omov/core/domain/ballot';
import { formatTime } from '@omov/core/domain/zones';
import { fillText, placeholdersIn, renderEmail, type Rendered } from '../mail/templates';
import { escapeHtml } from '../http/html';
import type { OutgoingMail } from '../mail/transport';
import { findBallot, lockBallot } from '../data/ballots';
import { requireBallotVisible, requireOrganiser, requireState } from './access';
import { record } from './audit';
import { RESET_PURPOSE, SETUP_PURPOSE } from './auth';
import { amendmentMailWording, PROPOSAL_LINK_PURPOSE } from './proposals';
import { SECRETARY_LINK_PURPOSE } from './positions';
import { NOMINEE_LINK_PURPOSE } from './nominations';
import { paperSeed } from './questions';
import { statementOrder } from '@omov/core/domain/proposals';
import type { AppContext } from './context';
import { AUTHORITY_LINK_PURPOSE, authorityLink } from './credentials';
import { TRUSTEE_LINK_PURPOSE, trusteeLink } from './trustees';
import { invalid, notFound } from './errors';

/**
 * Invitations and reminders: one email per member with the member's own voting link,
 * queued in the durable outbox. The link travels sealed; the worker opens it to send.
 */

export const LINK_PURPOSE = 'voting-link';

export type BallotMailFacts = {
  organisationId: string;
  organisationName: string;
  ballotId: string;
  ballotTitle: string;
  opensAt: Date;
  closesAt: Date;
  /** The zone the times are shown in. */
  timeZone: string;
  questions: Question[];
  /** The case for and against the questions that have them (each member's copy draws their order). */
  statements?: MailStatements;
  /** The ballot's own subject and opening, and contact address (services/invitations.ts). */
  wording: BallotWording;
};

/** The values an organiser's own subject and opening may use: each member's copy fills them in. */
export const MAIL_PLACEHOLDERS = ['memberName', 'organisationName', 'ballotTitle', 'opensAt', 'closesAt'] as const;

/** Organiser's text for an email: plain text (never markup), with only the placeholders above. */
function ownText(max: number, oneLine: boolean) {
  return z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((t) => !oneLine || !/[\r\n]/.test(t), 'must be one line')
    .superRefine((t, c) => {
      for (const p of placeholdersIn(t)) {
        if (!(MAIL_PLACEHOLDERS as readonly string[]).includes(p.trim()))
          c.addIssue({
            code: 'custom',
            message: `{{${p}}} is not a placeholder: use ${MAIL_PLACEHOLDERS.map((x) => `{{${x}}}`).join(', ')}`,
          });
      }
    })
    .transform((t) => t || null)
    .nullable()
    .default(null)
    .describe(`plain text; blank or null for the default. Placeholders: ${MAIL_PLACEHOLDERS.join(', ')}`);
}

const ownWording = z
  .object({ subject: ownText(200, true), opening: ownText(2000, false) })
  .default({ subject: null, opening: null });

/** A ballot's own wording of its emails, as the API and the emails page take it. */
export const wordingSchema = z.object({
  invitation: ownWording,
  reminder: ownWording,
  replyTo: z
    .union([z.literal(''), z.email('must be an email address').max(320)])
    .transform((t) => t || null)
    .nullable()
    .default(null)
    .describe('where replies go (Reply-To); blank or null for the sending address'),
  confirmVotes: z
    .boolean()
    .default(false)
    .describe('email each member "you voted" when they cast; only for a ballot that shows its voter list'),
});
export type WordingInput = z.input<typeof wordingSchema>;

export async function getWording(ctx: AppContext, p: Principal, ballotId: string): Promise<BallotWording> {
  requireBallotVisible(p, ballotId);
  if (!(await findBallot(ctx.db, p.organisationId, ballotId))) throw notFound('ballot');
  return ballotMail.findWording(ctx.db, ballotId);
}

/** Changes a ballot's wording; messages already queued keep the wording they were queued with. */
export async function setWording(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  input: z.output<typeof wordingSchema>,
): Promise<BallotWording> {
  requireOrganiser(p);
  requireBallotVisible(p, ballotId);
  await ctx.db.transaction().execute(async (tx) => {
    const b = await lockBallot(tx, ballotId, 'update');
    if (!b || b.organisationId !== p.organisationId) throw notFound('ballot');
    requireState(b, 'edit-mail');
    // The email tells the office's mail queue and server who voted: only where staff may see that anyway.
    if (input.confirmVotes && !b.voterListVisible)
      throw invalid(
        'a "you voted" email would tell the office who voted, and this ballot shows turnout in aggregate only',
        [{ path: 'confirmVotes', message: 'only for a ballot that shows its voter list' }],
      );
    await ballotMail.saveWording(tx, ballotId, input);
    await record(tx, p, 'ballot.mail', ballotId, {
      changed: [
        ...(['invitation', 'reminder'] as const).flatMap((k) =>
          (['subject', 'opening'] as const).filter((f) => input[k][f] !== null).map((f) => `${k} ${f}`),
        ),
        ...(input.replyTo ? ['contact'] : []),
        ...(input.confirmVotes ? ['you-voted email'] : []),
      ],
    });
  });
  return input;
}

/**
 * What an invitation or a reminder is queued with, but the link: the values, and the ballot's
 * own wording of this kind (the preview and the test email use the same).
 */
export function mailFields(
  facts: Omit<BallotMailFacts, 'organisationId' | 'ballotId'>,
  memberName: string,
  kind: MailKind = 'invitation',
): Record<string, string> {
  const own = facts.wording[kind];
  return {
    organisationName: facts.organisationName,
    ballotTitle: facts.ballotTitle,
    memberName,
    opensAt: formatTime(facts.opensAt, facts.timeZone),
    closesAt: formatTime(facts.closesAt, facts.timeZone),
    questionList: facts.questions.map((q, i) => `${i + 1}. ${q.title}`).join('\n'),
    ...(facts.statements?.length ? { statementsJson: JSON.stringify(facts.statements) } : {}),
    contact: facts.wording.replyTo ?? '',
    ...(own.subject ? { ownSubject: own.subject } : {}),
    ...(own.opening ? { ownOpening: own.opening } : {}),
  };
}

/** Marks on a queued message: a re-issued link (says it replaces the earlier one), a test copy. */
export type MailMarks = { replaces?: boolean; test?: boolean };
export const marksOf = (m: MailMarks): Record<string, string> => ({
  ...(m.replaces ? { replaces: 'yes' } : {}),
  ...(m.test ? { test: 'yes' } : {}),
});

/**
 * An invitation or a reminder as its member receives it, from what was queued and the link:
 * the one function the sender, the preview and the test email use.
 */
export function renderBallotMail(
  kind: MailKind,
  payload: Record<string, unknown>,
  link: string,
  reportLink: string,
  markup: Record<string, string> = {},
): Rendered & { replyTo?: string } {
  const values = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, String(v)]));
  // The organiser's text is filled with the member's values only: never the link or other parts.
  const own = Object.fromEntries(MAIL_PLACEHOLDERS.map((k) => [k, values[k] ?? '']));
  const r = renderEmail(
    kind,
    { ...values, link, reportLink, contact: values.contact ?? '', replaces: values.replaces ?? '' },
    {
      subject: values.ownSubject ? fillText(values.ownSubject, own) : undefined,
      opening: values.ownOpening ? fillText(values.ownOpening, own) : undefined,
    },
    markup,
  );
  return {
    ...r,
    subject: values.test ? `[TEST] ${r.subject}` : r.subject,
    ...(values.contact ? { replyTo: values.contact } : {}),
  };
}

export async function queueBallotMail(
  db: Queryable,
  kind: 'invitation' | 'reminder',
  facts: BallotMailFacts,
  recipients: Array<{ memberId: string; email: string; name: string; sealedToken: string }>,
  notBefore?: Date,
  marks: MailMarks = {},
): Promise<number> {
  // The same for every member (times formatted once per call, not per member).
  // The ballot's id gives the mail its "report a problem" address (reportLinkOf).
  const common = { ...mailFields(facts, '', kind), ...marksOf(marks), ballotId: facts.ballotId };
  await outbox.enqueue(
    db,
    recipients.map((r) => ({
      organisationId: facts.organisationId,
      ballotId: facts.ballotId,
      memberId: r.memberId,
      kind,
      recipient: r.email,
      payload: { ...common, memberName: r.name },
      sealedSecret: r.sealedToken,
      ...(notBefore ? { notBefore } : {}),
    })),
  );
  return recipients.length;
}

/**
 * A member who has voted and is sent a "new link" gets this note instead. It is queued as
 * an invitation so that the office's counts do not tell the two apart.
 */
export async function queueVotedNotice(
  db: Queryable,
  facts: BallotMailFacts,
  member: { memberId: string; email: string; name: string },
): Promise<void> {
  await outbox.enqueue(db, [
    {
      organisationId: facts.organisationId,
      ballotId: facts.ballotId,
      memberId: member.memberId,
      kind: 'invitation',
      recipient: member.email,
      payload: { ...mailFields(facts, member.name), notice: 'already-voted' },
      sealedSecret: null,
    },
  ]);
}

export async function queueReminders(db: Queryable, facts: BallotMailFacts): Promise<number> {
  const nonVoters = await electorate.listNonVoters(db, facts.ballotId);
  return queueBallotMail(
    db,
    'reminder',
    facts,
    nonVoters.filter((n) => n.sealedToken).map((n) => ({ ...n, sealedToken: n.sealedToken! })),
  );
}

/**
 * After a cast: a "you voted" email, if the ballot asks for it and shows its voter list. It
 * is queued apart from the vote (its own statement, after the cast) and carries no receipt
 * and no answer: it says only that the member voted, and when. A failure here never undoes
 * or refuses the cast.
 */
export async function queueVoteConfirmation(ctx: AppContext, tokenHash: Buffer): Promise<void> {
  try {
    const c = await ballotMail.voteConfirmationFor(ctx.db, tokenHash);
    if (!c) return;
    await outbox.enqueue(ctx.db, [
      {
        organisationId: c.organisationId,
        ballotId: c.ballotId,
        memberId: null,
        kind: 'vote-confirmation',
        recipient: c.email,
        payload: {
          organisationName: c.organisationName,
          ballotTitle: c.ballotTitle,
          memberName: c.memberName,
          at: formatTime(new Date(), c.timeZone),
          contact: c.replyTo ?? '',
        },
        sealedSecret: null,
      },
    ]);
    ctx.mailQueued();
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'the "you voted" email could not be queued');
  }
}

export type MailStatements = Array<{
  questionId: string;
  n: number;
  title: string;
  for?: { text: string; author: string };
  against?: { text: string; author: string };
}>;

const AUTHORS: Record<string, string> = {
  office: 'the office',
  proposers: 'the proposers',
  members: 'a group of members',
};

type MailSide = { side: 'for' | 'against'; heading: string; text: string };

/** Each question's statements in the member's order (the voting page's): both sides, or the one it has. */
function sidesOf(list: MailStatements, seed: string): Array<{ q: MailStatements[number]; sides: MailSide[] }> {
  return list.map((q) => ({
    q,
    sides: statementOrder(seed, q.questionId).flatMap((side) => {
      const s = q[side];
      return s
        ? [
            {
              side,
              heading: `${side === 'for' ? 'The case for' : 'The case against'} (written by ${AUTHORS[s.author] ?? s.author})`,
              text: s.text,
            },
          ]
        : [];
    }),
  }));
}

/**
 * The case for and against as one member's copy says them, in their order: one after the
 * other in the plain text; side by side in the HTML, one row of a table per question, each
 * cell with its own heading, so that a mail client that stacks the cells on a narrow screen
 * (the style in the head asks it to) still reads each case under its own name.
 */
export function statementsOfMail(
  json: string | undefined,
  seed: string,
): { values: { statements?: string }; markup: { statementsTable?: string } } {
  if (!json) return { values: {}, markup: {} };
  const questions = sidesOf(JSON.parse(json) as MailStatements, seed);
  const text = questions
    .map(({ q, sides }) => `${q.n}. ${q.title}\n\n${sides.map((s) => `${s.heading}:\n${s.text}`).join('\n\n')}`)
    .join('\n\n');
  const cell = (s: MailSide, width: string) =>
    `<td class="statement" width="${width}" valign="top" style="width: ${width}; vertical-align: top; padding: 0.5em 0.75em; border-left: 4px solid #0b5394; background: #f3f6fa;">` +
    `<p style="margin: 0 0 0.5em 0; font-weight: bold;">${escapeHtml(s.heading)}</p>` +
    `<p style="margin: 0; white-space: pre-line; overflow-wrap: anywhere;">${escapeHtml(s.text)}</p></td>`;
  const gap = '<td class="statement-gap" width="12" style="width: 12px; font-size: 0; line-height: 0;">&nbsp;</td>';
  const html = questions
    .map(({ q, sides }) => {
      const width = sides.length === 2 ? '50%' : '100%';
      return (
        `<h2 style="font-size: 18px; line-height: 1.3; margin: 1em 0 0.5em 0;">${escapeHtml(`${q.n}. ${q.title}`)}</h2>\n` +
        `<table role="presentation" class="statements" width="100%" cellpadding="0" cellspacing="0" border="0" style="width: 100%; border-collapse: collapse; margin: 0 0 1em 0;"><tr>` +
        sides.map((s) => cell(s, width)).join(gap) +
        `</tr></table>`
      );
    })
    .join('\n');
  return { values: { statements: text }, markup: { statementsTable: html } };
}

export function votingLink(ctx: AppContext, token: string): string {
  return `${ctx.config.publicUrl}/v/${token}`;
}

/**
 * Where a member reports a problem to the ballot's auditors: named in every voting email, so
 * that a member whose link says "already used" or "not valid" knows where to turn. Messages
 * queued before the ballot's id was kept with them get the form that asks for the ballot.
 */
export function reportLinkOf(ctx: AppContext, ballotId: string | undefined): string {
  return `${ctx.config.publicUrl}/report${ballotId ? `/${ballotId}` : ''}`;
}

/** Turns a queued message back into an email; the sealed link is opened only here. */
export function composeMessage(ctx: AppContext, m: ClaimedMessage): OutgoingMail {
  const values = Object.fromEntries(Object.entries(m.payload).map(([k, v]) => [k, String(v)]));
  if (m.kind === 'invitation' && m.payload.notice === 'already-voted') {
    return {
      to: m.recipient,
      ...renderEmail('already-voted', values),
      ...(values.contact ? { replyTo: values.contact } : {}),
      messageId: messageIdOf(ctx, m.id),
    };
  } else if (m.kind === 'invitation' || m.kind === 'reminder') {
    if (!m.sealedSecret) throw new Error('the voting link of this message is gone');
    const token = ctx.keys.open(LINK_PURPOSE, m.sealedSecret);
    const statements = statementsOfMail(values.statementsJson, paperSeed(ctx.keys, token));
    const payload = { ...m.payload, ...statements.values };
    return {
      to: m.recipient,
      ...renderBallotMail(
        m.kind,
        payload,
        votingLink(ctx, token),
        reportLinkOf(ctx, values.ballotId),
        statements.markup,
      ),
      messageId: messageIdOf(ctx, m.id),
    };
  } else if (m.kind === 'staff-invitation') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = `${ctx.config.publicUrl}/setup/${ctx.keys.open(SETUP_PURPOSE, m.sealedSecret)}`;
  } else if (m.kind === 'password-reset') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = `${ctx.config.publicUrl}/reset/${ctx.keys.open(RESET_PURPOSE, m.sealedSecret)}`;
  } else if (m.kind === 'proposal-link' || m.kind === 'amendments-open' || m.kind === 'nominations-open') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = `${ctx.config.publicUrl}/p/${ctx.keys.open(PROPOSAL_LINK_PURPOSE, m.sealedSecret)}`;
  } else if (m.kind === 'nomination') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = `${ctx.config.publicUrl}/n/${ctx.keys.open(NOMINEE_LINK_PURPOSE, m.sealedSecret)}`;
  } else if (m.kind === 'secretary-link') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = `${ctx.config.publicUrl}/s/${ctx.keys.open(SECRETARY_LINK_PURPOSE, m.sealedSecret)}`;
    // Queued before links expired (and said when): the rule, in words.
    values.linkExpiresAt ??= `${ctx.config.secretaryLinkDays} days after you were named`;
  } else if (m.kind === 'trustee-invitation' || m.kind === 'trustee-decrypt') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = trusteeLink(ctx, ctx.keys.open(TRUSTEE_LINK_PURPOSE, m.sealedSecret));
  } else if (m.kind === 'credential-authority-invitation') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = authorityLink(ctx, ctx.keys.open(AUTHORITY_LINK_PURPOSE, m.sealedSecret));
  }
  if (m.kind === 'amendments-open' || m.kind === 'amendment-qualified')
    // Queued before amendments to a question's options: only motions were amended then.
    for (const [k, v] of Object.entries(amendmentMailWording('motion'))) values[k] ??= v;
  if (m.kind === 'box-root') {
    values.recordUrl = `${ctx.config.publicUrl}/ballots/${values.ballotId}`;
  }
  const rendered = renderEmail(m.kind, values);
  return {
    to: m.recipient,
    ...rendered,
    ...(values.contact ? { replyTo: values.contact } : {}),
    messageId: messageIdOf(ctx, m.id),
  };
}

export const invitationProgress = (ctx: AppContext, ballotId: string) => outbox.progress(ctx.db, ballotId);
export const failedDeliveries = (ctx: AppContext, ballotId: string) => outbox.listFailed(ctx.db, ballotId);

/** Every queued message's Message-ID names its outbox row, for bounce reports. */
export function messageIdOf(ctx: AppContext, outboxId: string): string {
  return `<${outboxId}@${new URL(ctx.config.publicUrl).hostname}>`;
}

/** The outbox row a Message-ID names, if it is one of ours. */
export function outboxIdOf(messageId: string): string | undefined {
  return /^<?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^>]+>?$/i
    .exec(messageId.trim())?.[1]
    ?.toLowerCase();
}

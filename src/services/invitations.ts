import type { ClaimedMessage } from '../data/outbox';
import * as outbox from '../data/outbox';
import * as electorate from '../data/electorate';
import type { Queryable } from '../db/database';
import type { Question } from '@omov/core/domain/ballot';
import { formatTime } from '@omov/core/domain/zones';
import { renderEmail } from '../mail/templates';
import type { OutgoingMail } from '../mail/transport';
import { SETUP_PURPOSE } from './auth';
import type { AppContext } from './context';

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
};

/** What an invitation or a reminder is filled with, but the link (the preview shows the same). */
export function mailFields(
  facts: Omit<BallotMailFacts, 'organisationId' | 'ballotId'>,
  memberName: string,
): Record<string, string> {
  return {
    organisationName: facts.organisationName,
    ballotTitle: facts.ballotTitle,
    memberName,
    opensAt: formatTime(facts.opensAt, facts.timeZone),
    closesAt: formatTime(facts.closesAt, facts.timeZone),
    questionList: facts.questions.map((q, i) => `${i + 1}. ${q.title}`).join('\n'),
  };
}

export async function queueBallotMail(
  db: Queryable,
  kind: 'invitation' | 'reminder',
  facts: BallotMailFacts,
  recipients: Array<{ memberId: string; email: string; name: string; sealedToken: string }>,
  notBefore?: Date,
): Promise<number> {
  // The same for every member (times formatted once per call, not per member).
  const common = mailFields(facts, '');
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

export function votingLink(ctx: AppContext, token: string): string {
  return `${ctx.config.publicUrl}/v/${token}`;
}

/** Turns a queued message back into an email; the sealed link is opened only here. */
export function composeMessage(ctx: AppContext, m: ClaimedMessage): OutgoingMail {
  const values = Object.fromEntries(Object.entries(m.payload).map(([k, v]) => [k, String(v)]));
  if (m.kind === 'invitation' && m.payload.notice === 'already-voted') {
    return { to: m.recipient, ...renderEmail('already-voted', values), messageId: messageIdOf(ctx, m.id) };
  } else if (m.kind === 'invitation' || m.kind === 'reminder') {
    if (!m.sealedSecret) throw new Error('the voting link of this message is gone');
    values.link = votingLink(ctx, ctx.keys.open(LINK_PURPOSE, m.sealedSecret));
  } else if (m.kind === 'staff-invitation') {
    if (!m.sealedSecret) throw new Error('the link of this message is gone');
    values.link = `${ctx.config.publicUrl}/setup/${ctx.keys.open(SETUP_PURPOSE, m.sealedSecret)}`;
  } else if (m.kind === 'box-root') {
    values.recordUrl = `${ctx.config.publicUrl}/ballots/${values.ballotId}`;
  }
  const rendered = renderEmail(m.kind, values);
  return { to: m.recipient, ...rendered, messageId: messageIdOf(ctx, m.id) };
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

import * as orgs from '../data/organisations';
import * as outbox from '../data/outbox';
import type { Principal } from '../data/organisations';
import { findWording, type MailKind } from '../data/ballot-mail';
import type { Queryable } from '../db/database';
import type { Rendered } from '../mail/templates';
import { requireOrganiser, requireState } from './access';
import { record } from './audit';
import { type BallotView, getBallot } from './ballots';
import type { AppContext } from './context';
import { LINK_PURPOSE, mailFields, marksOf, renderBallotMail, reportLinkOf } from './invitations';

/**
 * What members will receive and see, before a ballot opens: the invitation rendered with
 * sample values, and a test copy sent to the organiser. The test copy's link is a dummy
 * that votes in nothing (the voting page calls it not valid).
 */

/** A dummy voting link: the right shape for the page, the wrong length for any real token. */
export const SAMPLE_TOKEN = 'PREVIEW-this-link-is-an-example-and-casts-no-vote';

export type InvitationPreview = {
  organisationName: string;
  ballot: BallotView;
  /** The invitation, as a member receives it. */
  email: Rendered;
  /** The reminder, likewise. */
  reminder: Rendered;
  replyTo: string | null;
};

/** What a member's invitation or reminder is queued with, for this ballot as it stands. */
async function queuedValues(
  db: Queryable,
  orgName: string,
  b: BallotView,
  memberName: string,
  kind: MailKind,
): Promise<Record<string, string>> {
  const facts = {
    organisationName: orgName,
    ballotTitle: b.title,
    opensAt: b.opensAt,
    closesAt: b.closesAt,
    timeZone: b.timeZone,
    questions: b.questions,
    wording: await findWording(db, b.id),
  };
  return mailFields(facts, memberName, kind);
}

/** The invitation and the reminder with sample values, rendered as the sender renders them. */
export async function invitationPreview(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  memberName = 'Sam Example',
): Promise<InvitationPreview> {
  const ballot = await getBallot(ctx, p, ballotId);
  const org = await orgs.findOrganisation(ctx.db, p.organisationId);
  const organisationName = org?.name ?? '';
  const link = `${ctx.config.publicUrl}/v/${SAMPLE_TOKEN}`;
  const render = async (kind: MailKind) =>
    renderBallotMail(
      kind,
      await queuedValues(ctx.db, organisationName, ballot, memberName, kind),
      link,
      reportLinkOf(ctx, ballotId),
    );
  const { replyTo, ...email } = await render('invitation');
  const { replyTo: _same, ...reminder } = await render('reminder');
  return { organisationName, ballot, email, reminder, replyTo: replyTo ?? null };
}

/** Queues the invitation or the reminder to the signed-in organiser, marked as a test, with a dummy link. */
export async function sendTestEmail(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  kind: MailKind = 'invitation',
): Promise<{ to: string }> {
  requireOrganiser(p);
  const ballot = await getBallot(ctx, p, ballotId);
  requireState(ballot, 'edit-mail');
  await ctx.db.transaction().execute(async (tx) => {
    const org = await orgs.findOrganisation(tx, p.organisationId);
    const payload = {
      ...(await queuedValues(tx, org?.name ?? '', ballot, p.name, kind)),
      ...marksOf({ test: true }),
      // In the payload only, for its report address: the row itself names no ballot.
      ballotId,
    };
    // No ballot id: a test message is not part of the ballot's delivery figures.
    await outbox.enqueue(tx, [
      {
        organisationId: p.organisationId,
        ballotId: null,
        memberId: null,
        kind,
        recipient: p.email,
        payload,
        sealedSecret: ctx.keys.seal(LINK_PURPOSE, SAMPLE_TOKEN),
      },
    ]);
    await record(tx, p, 'preview.test-email', ballot.id, { to: p.email, kind });
  });
  ctx.mailQueued();
  return { to: p.email };
}

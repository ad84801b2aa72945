import * as orgs from '../data/organisations';
import * as outbox from '../data/outbox';
import type { Principal } from '../data/organisations';
import { renderEmail, type Rendered } from '../mail/templates';
import { requireOrganiser } from './access';
import { record } from './audit';
import { type BallotView, getBallot } from './ballots';
import type { AppContext } from './context';
import { LINK_PURPOSE, mailFields } from './invitations';

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
  values: Record<string, string>;
  email: Rendered;
};

function invitationValues(orgName: string, b: BallotView, memberName: string, link: string): Record<string, string> {
  const fields = mailFields(
    {
      organisationName: orgName,
      ballotTitle: b.title,
      opensAt: b.opensAt,
      closesAt: b.closesAt,
      timeZone: b.timeZone,
      questions: b.questions,
    },
    memberName,
  );
  return { ...fields, link };
}

export async function invitationPreview(
  ctx: AppContext,
  p: Principal,
  ballotId: string,
  memberName = 'Sam Example',
): Promise<InvitationPreview> {
  const ballot = await getBallot(ctx, p, ballotId);
  const org = await orgs.findOrganisation(ctx.db, p.organisationId);
  const organisationName = org?.name ?? '';
  const values = invitationValues(organisationName, ballot, memberName, `${ctx.config.publicUrl}/v/${SAMPLE_TOKEN}`);
  return { organisationName, ballot, values, email: renderEmail('invitation', values) };
}

/** Queues the invitation to the signed-in organiser, marked as a test, with a dummy link. */
export async function sendTestEmail(ctx: AppContext, p: Principal, ballotId: string): Promise<{ to: string }> {
  requireOrganiser(p);
  const ballot = await getBallot(ctx, p, ballotId);
  await ctx.db.transaction().execute(async (tx) => {
    const org = await orgs.findOrganisation(tx, p.organisationId);
    const { link: _link, ...payload } = invitationValues(`[TEST] ${org?.name ?? ''}`, ballot, p.name, '');
    // No ballot id: a test message is not part of the ballot's delivery figures.
    await outbox.enqueue(tx, [
      {
        organisationId: p.organisationId,
        ballotId: null,
        memberId: null,
        kind: 'invitation',
        recipient: p.email,
        payload,
        sealedSecret: ctx.keys.seal(LINK_PURPOSE, SAMPLE_TOKEN),
      },
    ]);
    await record(tx, p, 'preview.test-email', ballot.id, { to: p.email });
  });
  ctx.mailQueued();
  return { to: p.email };
}

import type { Queryable } from '../db/database';

/** A ballot's own wording of its invitations and reminders, and its contact address. */

export type MailKind = 'invitation' | 'reminder';
export type OwnWording = { subject: string | null; opening: string | null };
export type BallotWording = {
  invitation: OwnWording;
  reminder: OwnWording;
  replyTo: string | null;
  /** A "you voted" email at each cast (only where the voter list is shown). */
  confirmVotes: boolean;
};

export const DEFAULT_WORDING: BallotWording = {
  invitation: { subject: null, opening: null },
  reminder: { subject: null, opening: null },
  replyTo: null,
  confirmVotes: false,
};

export async function findWording(db: Queryable, ballotId: string): Promise<BallotWording> {
  const r = await db.selectFrom('ballot_mail').selectAll().where('ballot_id', '=', ballotId).executeTakeFirst();
  if (!r) return DEFAULT_WORDING;
  return {
    invitation: { subject: r.invitation_subject, opening: r.invitation_opening },
    reminder: { subject: r.reminder_subject, opening: r.reminder_opening },
    replyTo: r.reply_to,
    confirmVotes: r.confirm_votes,
  };
}

export async function saveWording(db: Queryable, ballotId: string, w: BallotWording): Promise<void> {
  const row = {
    invitation_subject: w.invitation.subject,
    invitation_opening: w.invitation.opening,
    reminder_subject: w.reminder.subject,
    reminder_opening: w.reminder.opening,
    reply_to: w.replyTo,
    confirm_votes: w.confirmVotes,
  };
  await db
    .insertInto('ballot_mail')
    .values({ ballot_id: ballotId, ...row })
    .onConflict((oc) => oc.column('ballot_id').doUpdateSet({ ...row, updated_at: new Date() }))
    .execute();
}

/** Who to tell "you voted" after a cast with this token, if the ballot asks for it and shows its voter list. */
export async function voteConfirmationFor(db: Queryable, tokenHash: Buffer) {
  return db
    .selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .innerJoin('ballots', 'ballots.id', 'voting_tokens.ballot_id')
    .innerJoin('organisations', 'organisations.id', 'ballots.organisation_id')
    .innerJoin('ballot_mail', 'ballot_mail.ballot_id', 'ballots.id')
    .select([
      'members.email',
      'members.name as memberName',
      'ballots.id as ballotId',
      'ballots.organisation_id as organisationId',
      'ballots.title as ballotTitle',
      'ballots.time_zone as timeZone',
      'organisations.name as organisationName',
      'ballot_mail.reply_to as replyTo',
    ])
    .where('voting_tokens.token_hash', '=', tokenHash)
    .where('voting_tokens.used', '=', true)
    .where('ballot_mail.confirm_votes', '=', true)
    .where('ballots.voter_list_visible', '=', true)
    .executeTakeFirst();
}

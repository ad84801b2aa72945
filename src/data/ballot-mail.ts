import type { Queryable } from '../db/database';

/** A ballot's own wording of its invitations and reminders, and its contact address. */

export type MailKind = 'invitation' | 'reminder';
export type OwnWording = { subject: string | null; opening: string | null };
export type BallotWording = { invitation: OwnWording; reminder: OwnWording; replyTo: string | null };

export const DEFAULT_WORDING: BallotWording = {
  invitation: { subject: null, opening: null },
  reminder: { subject: null, opening: null },
  replyTo: null,
};

export async function findWording(db: Queryable, ballotId: string): Promise<BallotWording> {
  const r = await db.selectFrom('ballot_mail').selectAll().where('ballot_id', '=', ballotId).executeTakeFirst();
  if (!r) return DEFAULT_WORDING;
  return {
    invitation: { subject: r.invitation_subject, opening: r.invitation_opening },
    reminder: { subject: r.reminder_subject, opening: r.reminder_opening },
    replyTo: r.reply_to,
  };
}

export async function saveWording(db: Queryable, ballotId: string, w: BallotWording): Promise<void> {
  const row = {
    invitation_subject: w.invitation.subject,
    invitation_opening: w.invitation.opening,
    reminder_subject: w.reminder.subject,
    reminder_opening: w.reminder.opening,
    reply_to: w.replyTo,
  };
  await db
    .insertInto('ballot_mail')
    .values({ ballot_id: ballotId, ...row })
    .onConflict((oc) => oc.column('ballot_id').doUpdateSet({ ...row, updated_at: new Date() }))
    .execute();
}

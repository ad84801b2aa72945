import { z } from 'zod';
import * as outbox from '../data/outbox';
import { timingSafeEqualText } from '../secrets';
import { record } from './audit';
import type { AppContext } from './context';
import { ServiceError } from './errors';
import { outboxIdOf } from './invitations';

/**
 * Bounces and complaints reported by the mail provider after it accepted a message (its
 * webhook, authenticated by MAIL_EVENTS_SECRET). The message is named by the Message-ID
 * the queue gave it; it then shows among the ballot's failed deliveries, so that the
 * organiser can fix the address and re-issue the link.
 */
export const mailEventsSchema = z.object({
  events: z.array(z.object({
    messageId: z.string().min(1).max(300),
    type: z.enum(['bounce', 'complaint']),
    detail: z.string().max(500).optional(),
  })).min(1).max(1000),
});
export type MailEvents = z.infer<typeof mailEventsSchema>;

export async function reportMailEvents(ctx: AppContext, bearer: string | undefined, input: MailEvents): Promise<{ marked: number; unknown: number }> {
  const secret = ctx.config.mailEventsSecret;
  if (!secret) throw new ServiceError('not-found', 'the mail events webhook is off (set MAIL_EVENTS_SECRET to turn it on)');
  if (!bearer || !timingSafeEqualText(bearer, secret)) throw new ServiceError('unauthenticated', 'send the webhook secret as "Authorization: Bearer …"');
  let marked = 0;
  for (const e of input.events) {
    const id = outboxIdOf(e.messageId);
    if (!id) continue;
    const reason = `${e.type === 'bounce' ? 'bounced' : 'complaint'}${e.detail ? `: ${e.detail}` : ''}`;
    const done = await ctx.db.transaction().execute(async (tx) => {
      const row = await outbox.markBounced(tx, id, reason);
      if (row?.organisationId) await record(tx, { system: 'mail provider', organisationId: row.organisationId }, `mail.${e.type}`, row.ballotId, { messageId: id });
      return row !== undefined;
    });
    if (done) marked++;
  }
  return { marked, unknown: input.events.length - marked };
}

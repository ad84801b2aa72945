import { z } from 'zod';
import * as outbox from '../data/outbox';
import { parseDeliveryReport } from '../mail/dsn';
import { timingSafeEqualText } from '../platform/secrets';
import { record } from './audit';
import type { AppContext } from './context';
import { invalid, ServiceError } from './errors';
import { outboxIdOf } from './invitations';

/**
 * Bounces and complaints reported by the mail provider after it accepted a message (its
 * webhook, authenticated by MAIL_EVENTS_SECRET). The message is named by the Message-ID
 * the queue gave it; it then shows among the ballot's failed deliveries, so that the
 * organiser can fix the address and re-issue the link.
 */
export const mailEventsSchema = z.object({
  events: z
    .array(
      z.object({
        messageId: z.string().min(1).max(300),
        type: z.enum(['bounce', 'complaint']),
        detail: z.string().max(500).optional(),
      }),
    )
    .min(1)
    .max(1000),
});
export type MailEvents = z.infer<typeof mailEventsSchema>;

function requireWebhookSecret(ctx: AppContext, bearer: string | undefined): void {
  const secret = ctx.config.mailEventsSecret;
  if (!secret)
    throw new ServiceError('not-found', 'the mail events webhook is off (set MAIL_EVENTS_SECRET to turn it on)');
  if (!bearer || !timingSafeEqualText(bearer, secret))
    throw new ServiceError('unauthenticated', 'send the webhook secret as "Authorization: Bearer …"');
}

export async function reportMailEvents(
  ctx: AppContext,
  bearer: string | undefined,
  input: MailEvents,
): Promise<{ marked: number; unknown: number }> {
  requireWebhookSecret(ctx, bearer);
  return markEvents(ctx, input.events);
}

async function markEvents(ctx: AppContext, events: MailEvents['events']): Promise<{ marked: number; unknown: number }> {
  let marked = 0;
  for (const e of events) {
    const id = outboxIdOf(e.messageId);
    if (!id) continue;
    const reason = `${e.type === 'bounce' ? 'bounced' : 'complaint'}${e.detail ? `: ${e.detail}` : ''}`;
    const done = await ctx.db.transaction().execute(async (tx) => {
      const row = await outbox.markBounced(tx, id, reason);
      if (row?.organisationId)
        await record(
          tx,
          { system: 'mail provider', organisationId: row.organisationId },
          `mail.${e.type}`,
          row.ballotId,
          { messageId: id },
        );
      return row !== undefined;
    });
    if (done) marked++;
  }
  return { marked, unknown: events.length - marked };
}

/**
 * A bounce as a mail server returns it: a delivery status notification (RFC 3464), posted
 * whole, for setups without a provider's webhook (the bounce mailbox piped here by the
 * mail server). Each recipient whose delivery failed marks the message: named by the
 * envelope id it was sent with (RFC 3461 ENVID, kept by servers that offer DSN), else by
 * the Message-ID of the returned headers. Delays are not failures and are only counted.
 */
export async function reportDeliveryStatus(
  ctx: AppContext,
  bearer: string | undefined,
  raw: string,
): Promise<{ marked: number; unknown: number; notFailed: number }> {
  requireWebhookSecret(ctx, bearer);
  const report = parseDeliveryReport(raw);
  if (!report)
    throw invalid('this is not a delivery status notification: it has no message/delivery-status part (RFC 3464)', [
      { path: 'body', message: 'no message/delivery-status part' },
    ]);
  const named = [report.envelopeId, ...report.messageIds].find(
    (id) => id !== undefined && outboxIdOf(id) !== undefined,
  );
  const failed = report.recipients.filter((r) => r.action === 'failed');
  const events = failed.map((r) => ({
    messageId: named ?? '',
    type: 'bounce' as const,
    detail: [r.status, r.diagnostic].filter(Boolean).join(' ').slice(0, 500) || undefined,
  }));
  const r = await markEvents(ctx, events);
  return { ...r, notFailed: report.recipients.length - failed.length };
}

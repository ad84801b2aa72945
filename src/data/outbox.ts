import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { MailStatus } from '../db/schema';

/** The durable mail queue. Several server instances may take from it at once. */

export type OutboxInsert = {
  organisationId: string | null;
  ballotId: string | null;
  memberId: string | null;
  kind: string;
  recipient: string;
  payload: Record<string, unknown>;
  sealedSecret: string | null;
  /** When to send it; now if omitted. */
  notBefore?: Date;
};

/** One statement per call, whatever the number of messages: the columns travel as arrays. */
export async function enqueue(db: Queryable, messages: OutboxInsert[]): Promise<void> {
  if (!messages.length) return;
  const column = <T>(f: (m: OutboxInsert) => T) => messages.map(f);
  await sql`
    insert into mail_outbox
      (organisation_id, ballot_id, member_id, kind, recipient, payload, sealed_secret, next_attempt_at)
    select o, b, m, k, r, p::jsonb, s, coalesce(n, now()) from unnest(
      ${column((m) => m.organisationId)}::uuid[], ${column((m) => m.ballotId)}::uuid[],
      ${column((m) => m.memberId)}::uuid[], ${column((m) => m.kind)}::text[], ${column((m) => m.recipient)}::text[],
      ${column((m) => JSON.stringify(m.payload))}::text[], ${column((m) => m.sealedSecret)}::text[],
      ${column((m) => m.notBefore ?? null)}::timestamptz[]) as t(o, b, m, k, r, p, s, n)
  `.execute(db);
}

export type ClaimedMessage = {
  id: string;
  kind: string;
  recipient: string;
  payload: Record<string, unknown>;
  sealedSecret: string | null;
  attempts: number;
};

/**
 * Claims up to `limit` due messages for `leaseSeconds`. SKIP LOCKED lets instances claim
 * disjoint batches; a lease that runs out (the claimer died) makes the message due again.
 */
export async function claimDue(db: Queryable, limit: number, leaseSeconds: number): Promise<ClaimedMessage[]> {
  const r = await sql<{
    id: string;
    kind: string;
    recipient: string;
    payload: Record<string, unknown>;
    sealed_secret: string | null;
    attempts: number;
  }>`
    update mail_outbox m set status = 'sending', attempts = m.attempts + 1,
      locked_until = now() + make_interval(secs => ${leaseSeconds})
    where m.id in (
      select id from mail_outbox
      where (status = 'queued' and next_attempt_at <= now()) or (status = 'sending' and locked_until <= now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning m.id, m.kind, m.recipient, m.payload, m.sealed_secret, m.attempts
  `.execute(db);
  return r.rows.map((x) => ({
    id: x.id,
    kind: x.kind,
    recipient: x.recipient,
    payload: x.payload,
    sealedSecret: x.sealed_secret,
    attempts: x.attempts,
  }));
}

/**
 * Records that messages are being handed to the mail server, before the server can accept
 * them (one statement for every message handed over at this moment). Only the claim that
 * `attempt` names may do so: a claim whose lease ran out (and that another sender took
 * over) is not in the answer and must not send.
 */
export async function markHandedOver(
  db: Queryable,
  claims: ReadonlyArray<{ id: string; attempt: number }>,
  leaseSeconds: number,
): Promise<Set<string>> {
  const r = await sql<{ id: string }>`
    update mail_outbox m set status = 'handed', locked_until = now() + make_interval(secs => ${leaseSeconds})
    from unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.attempt)}::int[]) as c(id, attempt)
    where m.id = c.id and m.attempts = c.attempt and m.status = 'sending'
    returning m.id
  `.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/** Gives back claimed messages that were never handed over (the sender is stopping): due again at once. */
export async function releaseClaims(db: Queryable, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await sql`
    update mail_outbox set status = 'queued', locked_until = null, attempts = attempts - 1
    where id = any(${ids}::uuid[]) and status = 'sending'
  `.execute(db);
}

/**
 * Messages handed over whose sender never recorded the server's answer (it died, or lost
 * the database for longer than the lease) count as sent: sending them again could deliver
 * them twice. They keep a note, shown with the failed deliveries.
 */
export async function settleHandedOver(db: Queryable): Promise<number> {
  const r = await db
    .updateTable('mail_outbox')
    .set({
      status: 'sent',
      sent_at: sql<Date>`now()`,
      sealed_secret: null,
      locked_until: null,
      last_error: 'handed to the mail server; its answer was not recorded (the sender stopped)',
    })
    .where('status', '=', 'handed')
    .where('locked_until', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * `note`: a sent message whose delivery is not certain says why. One statement for all of `ids`.
 * Only a handed-over message becomes sent: a bounce reported while its sender was still
 * recording the hand-over stays a bounce.
 */
export async function markSent(db: Queryable, ids: string[], note: string | null = null): Promise<void> {
  // The secret is no longer needed once the message has left.
  await db
    .updateTable('mail_outbox')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, sealed_secret: null, locked_until: null, last_error: note })
    .where('id', '=', sql<string>`any(${ids}::uuid[])`)
    .where('status', '=', 'handed')
    .execute();
}

export async function markRetry(db: Queryable, id: string, delaySeconds: number, error: string): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({
      status: 'queued',
      locked_until: null,
      last_error: error.slice(0, 500),
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${delaySeconds})`,
    })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ status: 'failed', locked_until: null, last_error: error.slice(0, 500), sealed_secret: null })
    .where('id', '=', id)
    .execute();
}

/** Stops messages that have not left yet, e.g. the old link of a member whose link was re-issued. */
export async function cancelQueued(db: Queryable, ballotId: string, memberId: string): Promise<void> {
  await db
    .deleteFrom('mail_outbox')
    .where('ballot_id', '=', ballotId)
    .where('member_id', '=', memberId)
    .where('status', '=', 'queued')
    .execute();
}

export async function progress(
  db: Queryable,
  ballotId: string,
): Promise<Record<string, Record<Exclude<MailStatus, 'handed'>, number>>> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['kind', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('ballot_id', '=', ballotId)
    .groupBy(['kind', 'status'])
    .execute();
  const out: Record<string, Record<Exclude<MailStatus, 'handed'>, number>> = {};
  for (const r of rows) {
    out[r.kind] ??= { queued: 0, sending: 0, sent: 0, failed: 0, bounced: 0 };
    // A message being handed over is still being sent, as far as progress goes.
    const status = r.status === 'handed' ? 'sending' : r.status;
    out[r.kind]![status] += Number(r.n);
  }
  return out;
}

export async function listFailed(db: Queryable, ballotId: string) {
  return db
    .selectFrom('mail_outbox')
    .select(['id', 'kind', 'recipient', 'attempts', 'status', 'last_error as lastError'])
    .where('ballot_id', '=', ballotId)
    .where('status', 'in', ['failed', 'bounced'])
    .orderBy('recipient')
    .execute();
}

/**
 * The provider says a message it had accepted bounced (or the recipient complained).
 * Only a message that left can bounce: a sent one, or one handed over whose sender has not yet
 * recorded the server's answer (a fast provider's report can arrive first). Returns the ballot
 * it belonged to, if it was marked.
 */
export async function markBounced(
  db: Queryable,
  id: string,
  reason: string,
): Promise<{ ballotId: string | null; organisationId: string | null } | undefined> {
  return db
    .updateTable('mail_outbox')
    .set({ status: 'bounced', last_error: reason.slice(0, 500), sealed_secret: null, locked_until: null })
    .where('id', '=', id)
    .where('status', 'in', ['handed', 'sent'])
    .returning(['ballot_id as ballotId', 'organisation_id as organisationId'])
    .executeTakeFirst();
}

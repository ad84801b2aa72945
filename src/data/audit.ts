import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import { type AuditEntry, auditHash, GENESIS_HASH } from '@omov/core/domain/audit';

/** The append-only audit log (a trigger refuses updates and deletes). */

export async function appendAudit(
  db: Queryable,
  e: {
    organisationId: string;
    actor: string;
    action: string;
    subject: string | null;
    details: Record<string, unknown>;
  },
): Promise<AuditEntry> {
  // One writer per organisation at a time, so positions and the chain stay in order.
  await sql`select pg_advisory_xact_lock(hashtextextended(${`audit:${e.organisationId}`}, 0))`.execute(db);
  const last = await db
    .selectFrom('audit_log')
    .select(['position', 'hash'])
    .where('organisation_id', '=', e.organisationId)
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
  const now = await sql<{ at: Date }>`select date_trunc('milliseconds', clock_timestamp()) as at`.execute(db);
  const entry = {
    organisationId: e.organisationId,
    position: (last ? Number(last.position) : 0) + 1,
    at: now.rows[0]!.at.toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details: e.details,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = auditHash(entry);
  await sql`insert into audit_log (organisation_id, position, at, actor, action, subject, details, prev_hash, hash)
    values (${entry.organisationId}, ${entry.position}, ${entry.at}, ${entry.actor}, ${entry.action}, ${entry.subject},
            ${JSON.stringify(entry.details)}, ${entry.prevHash}, ${hash})`.execute(db);
  return { ...entry, hash };
}

export async function listAudit(db: Queryable, organisationId: string): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    organisationId: r.organisation_id,
    position: Number(r.position),
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: r.details as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}

/** Every entry with this action about this subject, in log order. */
export async function listEntries(
  db: Queryable,
  action: string,
  subject: string,
): Promise<Array<{ position: number; hash: string; details: Record<string, unknown> }>> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['position', 'hash', 'details'])
    .where('action', '=', action)
    .where('subject', '=', subject)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    position: Number(r.position),
    hash: r.hash,
    details: r.details as Record<string, unknown>,
  }));
}

/** The details and hash of the (first) entry with this action about this subject, if any. */
export async function findEntry(
  db: Queryable,
  action: string,
  subject: string,
): Promise<{ position: number; hash: string; details: Record<string, unknown> } | undefined> {
  return (await listEntries(db, action, subject))[0];
}

/**
 * The newest entry with this action about this subject in an organisation's log, or the
 * newest whose details carry this idempotency key.
 */
export async function findLatestEntry(
  db: Queryable,
  organisationId: string,
  action: string,
  subject: string,
  key?: string,
): Promise<{ at: Date; details: Record<string, unknown> } | undefined> {
  let q = db
    .selectFrom('audit_log')
    .select(['at', 'details'])
    .where('organisation_id', '=', organisationId)
    .where('action', '=', action)
    .where('subject', '=', subject);
  if (key !== undefined) q = q.where(sql<string>`details->>'key'`, '=', key);
  const r = await q.orderBy('position', 'desc').limit(1).executeTakeFirst();
  return r && { at: r.at, details: r.details as Record<string, unknown> };
}

import crypto from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../record/canonical';

/**
 * The audit log's hash chain. Each entry's hash covers its content and the previous
 * entry's hash, so a changed, removed or inserted entry breaks every hash after it.
 * hash = hex(SHA-256(canonical JSON of the entry without its hash)); the first entry's
 * prevHash is 64 zeros. Documented in docs/election-record.md.
 */
export type AuditEntry = {
  organisationId: string;
  position: number;
  /** ISO 8601, UTC, millisecond precision. */
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** An entry's shape, for what reads entries from outside: the election record's check and the API's document. */
export const auditEntrySchema = z.object({
  organisationId: z.string(),
  position: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(e: Omit<AuditEntry, 'hash'>): string {
  const { organisationId, position, at, actor, action, subject, details, prevHash } = e;
  return crypto
    .createHash('sha256')
    .update(canonicalJson({ organisationId, position, at, actor, action, subject, details, prevHash }), 'utf8')
    .digest('hex');
}

/** Problems with a chain, in order; empty when it holds. */
export function checkAuditChain(entries: ReadonlyArray<AuditEntry>): string[] {
  const problems: string[] = [];
  let prev = GENESIS_HASH;
  entries.forEach((e, i) => {
    if (e.position !== i + 1)
      problems.push(`entry ${i + 1}: position is ${e.position} (an entry is missing or inserted)`);
    if (e.prevHash !== prev)
      problems.push(`entry ${e.position}: does not follow the entry before it (previous hash differs)`);
    if (auditHash(e) !== e.hash) problems.push(`entry ${e.position}: its content does not match its hash (changed)`);
    prev = e.hash;
  });
  return problems;
}

import { type AuditEntry, auditHash, GENESIS_HASH } from '../../src/domain/audit';

/**
 * Makes `log` a holding hash chain again from index `from` on, as someone who rewrote an
 * entry's details would (so that V10 holds and the check under test is the one that fails):
 * positions renumbered from 1, each entry linked to the one before it and hashed again.
 */
export function rechain(log: AuditEntry[], from = 0): void {
  for (let i = from; i < log.length; i++) {
    const e = log[i]!;
    e.position = i + 1;
    e.prevHash = i > 0 ? log[i - 1]!.hash : GENESIS_HASH;
    e.hash = auditHash(e);
  }
}

import * as audit from '../data/audit';
import * as orgs from '../data/organisations';
import type { Principal } from '../data/organisations';
import * as outbox from '../data/outbox';
import type { Queryable } from '../db/database';
import { checkAuditChain } from '@omov/core/domain/audit';
import { actorOf, requireBallotVisible } from './access';
import type { AppContext } from './context';

/**
 * Every organiser and auditor action goes into the organisation's hash-chained log, in
 * the same transaction as the action itself: no action without its entry.
 */
export function record(
  db: Queryable,
  p: Principal | { system: string; organisationId: string },
  action: string,
  subject: string | null = null,
  details: Record<string, unknown> = {},
) {
  const actor = 'system' in p ? `system:${p.system}` : actorOf(p);
  // Hashed as stored: a Date (a proposal's dates, the rules' setAt) as its ISO string, not as an empty object.
  const stored = JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  return audit.appendAudit(db, { organisationId: p.organisationId, actor, action, subject, details: stored });
}

export async function readLog(ctx: AppContext, p: Principal) {
  if (p.ballotId) requireBallotVisible(p, p.ballotId);
  const entries = await audit.listAudit(ctx.db, p.organisationId);
  // An auditor of one ballot reads the entries about that ballot (and their own sign-ins);
  // the chain is then checked by the full export, not by this partial view.
  const visible = p.ballotId ? entries.filter((e) => e.subject === p.ballotId || e.actor === actorOf(p)) : entries;
  return {
    entries: visible,
    chain: p.ballotId ? 'partial view' : checkAuditChain(entries).length === 0 ? 'intact' : 'BROKEN',
  };
}

/**
 * Queues one message of `kind` (an email template) to every auditor of the ballot, of the
 * organisation or of that ballot alone, in the caller's transaction: straight to them, past
 * the office's pages. Returns how many auditors it was sent to.
 */
export async function mailAuditors(
  db: Queryable,
  b: { id: string; organisationId: string; title: string },
  kind: string,
  payload: Record<string, string>,
): Promise<number> {
  const auditors = await orgs.listAuditorsOf(db, b.organisationId, b.id);
  const org = await orgs.findOrganisation(db, b.organisationId);
  await outbox.enqueue(
    db,
    auditors.map((a) => ({
      organisationId: b.organisationId,
      ballotId: b.id,
      memberId: null,
      kind,
      recipient: a.email,
      sealedSecret: null,
      payload: { organisationName: org?.name ?? '', ballotTitle: b.title, auditorName: a.name, ...payload },
    })),
  );
  return auditors.length;
}

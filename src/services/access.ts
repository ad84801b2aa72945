import type { Principal } from '../data/organisations';
import { ServiceError } from './errors';

/**
 * Who may do what. Organisers act on their own organisation; auditors read it (all of it,
 * or one ballot), never change it, and never see which member holds which token.
 */
export function requireOrganiser(p: Principal): void {
  if (p.role !== 'organiser') throw new ServiceError('forbidden', 'auditors have read-only access');
}

/** An auditor of one ballot sees that ballot only; to them others do not exist. */
export function ballotVisible(p: Principal, ballotId: string): boolean {
  return p.role === 'organiser' || p.ballotId === null || p.ballotId === ballotId;
}

export function requireBallotVisible(p: Principal, ballotId: string): void {
  if (!ballotVisible(p, ballotId)) throw new ServiceError('not-found', 'ballot not found');
}

/** The roll is the organisation's; an auditor of a single ballot has no need of it. */
export function requireRollVisible(p: Principal): void {
  if (p.role === 'auditor' && p.ballotId !== null)
    throw new ServiceError('forbidden', 'an auditor of one ballot cannot read the member roll');
}

export const actorOf = (p: Principal) => `${p.role}:${p.email}`;

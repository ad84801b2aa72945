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

/*
 * For the pages. Who may call a page: the pages' route table (http/page-routes.ts) declares
 * a Caller per page and asks pageRefusal, which reads the rules above. isOrganiser and
 * rollVisible are the same two rules as yes/no, for pages that show more or less by role
 * (they restate requireOrganiser's and requireRollVisible's conditions: change both together).
 */

export const isOrganiser = (p: Principal): boolean => p.role === 'organiser';

/** Organisers and auditors of the whole organisation; not an auditor of one ballot. */
export const rollVisible = (p: Principal): boolean => p.role === 'organiser' || p.ballotId === null;

/**
 *   anyone       no one need sign in (the page may still show more to staff);
 *   voting link  a member, by the link in the path, which the voting service checks;
 *   staff        any signed-in organiser or auditor;
 *   roll reader  staff who may read the member roll;
 *   organiser    organisers only: auditors change nothing.
 */
export type Caller = 'anyone' | 'voting link' | 'staff' | 'roll reader' | 'organiser';

/** Why a signed-in person may not call a page meant for `who`, in the rules' own words; undefined if they may. */
export function pageRefusal(who: Caller, p: Principal): ServiceError | undefined {
  try {
    if (who === 'organiser') requireOrganiser(p);
    if (who === 'roll reader') requireRollVisible(p);
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  return undefined;
}

import type { Principal } from '../data/organisations';
import { allows, type BallotAction, type BallotStatus, refusal } from '@omov/core/domain/lifecycle';
import { conflict, ServiceError } from './errors';

/**
 * Who may do what. Organisers act on their own organisation; auditors read it (all of it,
 * or one ballot), never change it, and never see which member holds which token. When a
 * ballot allows what is asked is the lifecycle's business (@omov/core/domain/lifecycle);
 * `mayAct` asks both, for pages deciding what to offer.
 */

export const READ_ONLY = 'auditors have read-only access';

export const isOrganiser = (p: Principal): boolean => p.role === 'organiser';

export function requireOrganiser(p: Principal): void {
  if (!isOrganiser(p)) throw new ServiceError('forbidden', READ_ONLY);
}

/** An auditor of one ballot sees that ballot only; to them others do not exist. */
export function ballotVisible(p: Principal, ballotId: string): boolean {
  return p.role === 'organiser' || p.ballotId === null || p.ballotId === ballotId;
}

export function requireBallotVisible(p: Principal, ballotId: string): void {
  if (!ballotVisible(p, ballotId)) throw new ServiceError('not-found', 'ballot not found');
}

/** The roll is the organisation's; an auditor of a single ballot has no need of it. */
export const rollVisible = (p: Principal): boolean => p.role === 'organiser' || p.ballotId === null;

export function requireRollVisible(p: Principal): void {
  if (!rollVisible(p)) throw new ServiceError('forbidden', 'an auditor of one ballot cannot read the member roll');
}

/**
 * Who may call something (an action on a ballot, a page):
 *   anyone       no one need sign in (a page may still show more to staff);
 *   voting link  a member, by their own link, which the voting service checks;
 *   staff        any signed-in organiser or auditor;
 *   roll reader  staff who may read the member roll;
 *   organiser    organisers only: auditors change nothing.
 */
export type Caller = 'anyone' | 'voting link' | 'staff' | 'roll reader' | 'organiser';

/** Who may take each action on a ballot: organisers change it, staff read it, a member casts with their link. */
export const ACTION_CALLERS: { readonly [A in BallotAction]: Caller } = {
  edit: 'organiser',
  delete: 'organiser',
  preview: 'organiser',
  open: 'organiser',
  'add-to-electorate': 'organiser',
  'reissue-link': 'organiser',
  'send-reminders': 'organiser',
  'edit-mail': 'organiser',
  close: 'organiser',
  publish: 'organiser',
  cast: 'voting link',
  'read-turnout': 'staff',
  'read-delivery': 'staff',
  'read-results': 'staff',
  'export-record': 'staff',
  'download-ballots': 'staff',
  'read-board': 'anyone',
  'read-receipts': 'anyone',
  'read-public-results': 'anyone',
};

/**
 * May this caller (undefined: not signed in) call what is open to `who`? For routes that
 * say who may call them; a member's own link is checked by the voting pages, not here.
 */
export function mayCall(p: Principal | undefined, who: Caller): boolean {
  if (who === 'anyone') return true;
  if (who === 'voting link' || !p) return false;
  if (who === 'organiser') return isOrganiser(p);
  if (who === 'roll reader') return rollVisible(p);
  return true;
}

/** May this member of staff take this action on this ballot, as things stand? */
export function mayAct(p: Principal, b: { id: string; status: BallotStatus }, action: BallotAction): boolean {
  const who = ACTION_CALLERS[action];
  return mayCall(p, who) && (who === 'anyone' || ballotVisible(p, b.id)) && allows(b.status, action);
}

/** Refuses (409) an action the ballot's state does not allow, with the lifecycle's reason. */
export function requireState(b: { status: BallotStatus }, action: BallotAction): void {
  const why = refusal(b.status, action);
  if (why) throw conflict(why);
}

export const actorOf = (p: Principal) => `${p.role}:${p.email}`;

/* For the pages: the route table (http/page-routes.ts) declares a Caller per page and asks pageRefusal. */

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

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
 * Who may take each action on a ballot: organisers change it, staff (organisers and
 * auditors) read it, a member casts with their own link, anyone reads what is public.
 */
export type Caller = 'organiser' | 'staff' | 'member' | 'anyone';
export const ACTION_CALLERS: { readonly [A in BallotAction]: Caller } = {
  edit: 'organiser',
  delete: 'organiser',
  preview: 'organiser',
  open: 'organiser',
  'add-to-electorate': 'organiser',
  'reissue-link': 'organiser',
  'send-reminders': 'organiser',
  close: 'organiser',
  publish: 'organiser',
  cast: 'member',
  'read-turnout': 'staff',
  'read-delivery': 'staff',
  'read-results': 'staff',
  'export-record': 'staff',
  'download-ballots': 'staff',
  'read-board': 'anyone',
  'read-public-results': 'anyone',
};

/**
 * May this caller (undefined: not signed in) call what is open to `who`? For routes that
 * say who may call them; a member's own link is checked by the voting pages, not here.
 */
export function mayCall(p: Principal | undefined, who: Caller): boolean {
  if (who === 'anyone') return true;
  if (who === 'member' || !p) return false;
  return who === 'staff' || isOrganiser(p);
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

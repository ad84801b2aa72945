import { allows, BALLOT_ACTIONS, BALLOT_STATUSES } from '@omov/core/domain/lifecycle';
import type { Principal } from '../src/data/organisations';
import { ACTION_CALLERS, mayAct, mayCall, requireState } from '../src/services/access';
import { ServiceError } from '../src/services/errors';

/** The access rules alone: pure, no database. What the services refuse is tested over HTTP elsewhere. */
const staff = (role: Principal['role'], ballotId: string | null = null): Principal => ({
  organiserId: 'o',
  organisationId: 'org',
  email: `${role}@example.org`,
  name: role,
  role,
  ballotId,
});
const organiser = staff('organiser');
const auditor = staff('auditor');
const auditorOfOther = staff('auditor', 'other');

test('who may call what is open to each kind of caller', () => {
  const table = (['anyone', 'staff', 'roll reader', 'organiser', 'voting link'] as const).map((who) => [
    who,
    mayCall(undefined, who),
    mayCall(auditor, who),
    mayCall(organiser, who),
  ]);
  expect(mayCall(auditorOfOther, 'roll reader')).toBe(false);
  expect(table).toEqual([
    ['anyone', true, true, true],
    ['staff', false, true, true],
    ['roll reader', false, true, true],
    ['organiser', false, false, true],
    ['voting link', false, false, false],
  ]);
});

test.each(BALLOT_STATUSES)('in a %s ballot, each may act as their role and the state allow', (status) => {
  const b = { id: 'b1', status };
  for (const action of BALLOT_ACTIONS) {
    const who = ACTION_CALLERS[action];
    const state = allows(status, action);
    expect([action, mayAct(organiser, b, action)]).toEqual([action, state && who !== 'voting link']);
    expect([action, mayAct(auditor, b, action)]).toEqual([action, state && (who === 'staff' || who === 'anyone')]);
    // An auditor of another ballot sees nothing of this one but what is public.
    expect([action, mayAct(auditorOfOther, b, action)]).toEqual([action, state && who === 'anyone']);
  }
});

test("every change is an organiser's, every read staff's or public", () => {
  const changes = BALLOT_ACTIONS.filter(
    (a) => !a.startsWith('read-') && !['export-record', 'download-ballots', 'cast'].includes(a),
  );
  for (const a of changes) expect([a, ACTION_CALLERS[a]]).toEqual([a, 'organiser']);
  expect(ACTION_CALLERS.cast).toBe('voting link');
});

test("requireState refuses with a 409 and the lifecycle's sentence", () => {
  expect(() => requireState({ status: 'open' }, 'close')).not.toThrow();
  const err = (() => {
    try {
      requireState({ status: 'draft' }, 'close');
    } catch (e) {
      return e;
    }
  })() as ServiceError;
  expect(err).toBeInstanceOf(ServiceError);
  expect([err.kind, err.message]).toEqual(['conflict', 'the ballot is draft: only an open ballot can be closed']);
});

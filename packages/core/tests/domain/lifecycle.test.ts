import {
  ACTION_RULES,
  allows,
  BALLOT_ACTIONS,
  BALLOT_STATUSES,
  type BallotAction,
  type BallotStatus,
  closingTime,
  questionsFixed,
  refusal,
  type StatusAfter,
  statusesAllowing,
  type Transition,
  TRANSITIONS,
  votingWindow,
} from '../../src/domain/lifecycle';

/**
 * The whole table, written out by hand: D draft, O open, C closed, P published. A change
 * to what a state allows must change this table too.
 */
const TABLE: Record<BallotAction, string> = {
  edit: 'D',
  delete: 'D',
  preview: 'D',
  open: 'D',
  'add-to-electorate': 'O',
  'reissue-link': 'O',
  'send-reminders': 'O',
  'edit-mail': 'DO',
  cast: 'O',
  close: 'O',
  publish: 'C',
  'read-turnout': 'OCP',
  'read-delivery': 'OCP',
  'read-results': 'CP',
  'read-board': 'OCP',
  'read-receipts': 'CP',
  'read-public-results': 'P',
  'export-record': 'CP',
  'download-ballots': 'CP',
};
const LETTER: Record<BallotStatus, string> = { draft: 'D', open: 'O', closed: 'C', published: 'P' };

/** The refusals the API has always given (409), word for word. */
const KNOWN_REFUSALS: Partial<Record<BallotAction, (s: BallotStatus) => string>> = {
  edit: (s) => `the ballot is ${s}: only a draft can be edited`,
  delete: (s) => `the ballot is ${s}: only a draft can be deleted`,
  open: (s) => `the ballot is already ${s}`,
  'add-to-electorate': (s) => `the ballot is ${s}: members can join the electorate only while it is open`,
  'reissue-link': (s) => `the ballot is ${s}: links can be re-issued only while it is open`,
  'send-reminders': (s) => `the ballot is ${s}: reminders go out only while it is open`,
  'edit-mail': (s) => `the ballot is ${s}: its emails can be changed until it closes`,
  close: (s) => `the ballot is ${s}: only an open ballot can be closed`,
  publish: (s) => `the ballot is ${s}: only a closed ballot can be published`,
  'read-results': (s) => `the ballot is ${s}: results come when it is closed`,
  'export-record': (s) => `the ballot is ${s}: its election record exists once it is closed`,
  'download-ballots': (s) => `the ballot is ${s}: its papers can be downloaded once it is closed`,
};

describe("the ballot's lifecycle", () => {
  test('the table covers every action', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...BALLOT_ACTIONS].sort());
    expect(Object.keys(ACTION_RULES).sort()).toEqual([...BALLOT_ACTIONS].sort());
  });

  const cells = BALLOT_STATUSES.flatMap((s) => BALLOT_ACTIONS.map((a) => [s, a] as const));
  test.each(cells)('%s × %s', (status, action) => {
    const expected = TABLE[action].includes(LETTER[status]);
    expect(allows(status, action)).toBe(expected);
    const why = refusal(status, action);
    if (expected) expect(why).toBeNull();
    else {
      // One plain sentence that names the state the ballot is in.
      expect(why).toMatch(new RegExp(`^the ballot is (already )?${status}\\b`));
      const known = KNOWN_REFUSALS[action];
      if (known) expect(why).toBe(known(status));
    }
    expect(statusesAllowing(action).includes(status)).toBe(expected);
  });

  test('the transitions: open, close, publish, each from the one state that allows it', () => {
    expect(TRANSITIONS).toEqual({
      open: { from: 'draft', to: 'open', by: ['organiser'] },
      close: { from: 'open', to: 'closed', by: ['organiser', 'clock'] },
      publish: { from: 'closed', to: 'published', by: ['organiser'] },
    });
    for (const [t, { from, to }] of Object.entries(TRANSITIONS) as Array<
      [Transition, (typeof TRANSITIONS)[Transition]]
    >) {
      expect(statusesAllowing(t)).toEqual([from]);
      expect(BALLOT_STATUSES.indexOf(to)).toBe(BALLOT_STATUSES.indexOf(from) + 1);
    }
    // Nothing goes back: no transition leads to a draft, none leaves a published ballot.
    expect(Object.values(TRANSITIONS).some((t) => (t.to as BallotStatus) === 'draft')).toBe(false);
    expect(Object.values(TRANSITIONS).some((t) => (t.from as BallotStatus) === 'published')).toBe(false);
  });

  test('a wrong transition cannot be written', () => {
    const closed: StatusAfter<'close'> = 'closed';
    expect(closed).toBe('closed');
    // @ts-expect-error: there is no way back to a draft
    const reopen: Transition = 'reopen';
    // @ts-expect-error: closing leaves the ballot closed, not published
    const published: StatusAfter<'close'> = 'published';
    expect([reopen, published]).toHaveLength(2);
  });

  test('questions are fixed once the ballot leaves draft (so they may be cached)', () => {
    expect(BALLOT_STATUSES.filter(questionsFixed)).toEqual(['open', 'closed', 'published']);
  });

  describe('the voting window, by the state and the times', () => {
    const opensAt = new Date('2027-01-10T09:00:00Z');
    const closesAt = new Date('2027-01-20T09:00:00Z');
    const before = new Date('2027-01-01T00:00:00Z');
    const during = new Date('2027-01-15T00:00:00Z');
    const after = new Date('2027-01-25T00:00:00Z');
    const cases: Array<[BallotStatus, Date, string]> = [
      ['draft', before, 'not-yet-open'],
      ['draft', during, 'not-yet-open'],
      ['draft', after, 'closed'],
      ['open', before, 'not-yet-open'], // scheduled: links out, votes not yet taken
      ['open', during, 'open'],
      ['open', opensAt, 'open'],
      ['open', closesAt, 'closed'], // closing: the time has come, the clock has not closed it yet
      ['open', after, 'closed'],
      ['closed', before, 'closed'],
      ['closed', during, 'closed'],
      ['published', during, 'closed'],
    ];
    test.each(cases)('%s at %s: %s', (status, now, expected) => {
      expect(votingWindow({ status, opensAt, closesAt }, now)).toBe(expected);
    });
  });
});

test('the closing time shown is the actual one after a close, the scheduled one before', () => {
  const closesAt = new Date('2026-12-08T17:00:00Z');
  expect(closingTime({ closesAt, closedAt: null })).toBe(closesAt);
  const early = new Date('2026-12-05T09:30:00Z');
  expect(closingTime({ closesAt, closedAt: early })).toBe(early);
});

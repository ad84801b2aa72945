import fc from 'fast-check';
import {
  agendaIssue,
  agendaResult,
  analyseAgendaOrders,
  checkAgendaOrder,
  firstStanding,
  runAgenda,
  unionOfVersions,
  versionsIssue,
} from '../../src/domain/amendments';
import { condorcetWinner, countSchulze, pairwiseMatrix } from '../../src/tally/methods/condorcet';
import { rat } from '../../src/tally/rational';
import { papers } from '../tally/helpers';

// Variants as the ranked question's options: the original text, two amendments, and "the
// motion falls" (the rejection, voted on last).
const VARIANTS = ['Original', 'AmendA', 'AmendB', 'Reject'];
const [O, A, B, R] = [0, 1, 2, 3];
const setup = { original: O, amendments: [A, B], rejection: R };

describe('a sequential amendment agenda from the ranked question', () => {
  // Nine members, a cycle (worked by hand):
  //   4: A > B > O      3: B > O > A      2: O > A > B      (Reject unranked: last for all)
  // A v B: 4 + 2 = 6 to 3, A wins.  B v O: 4 + 3 = 7 to 2, B wins.  O v A: 3 + 2 = 5 to 4, O wins.
  // Declared order (A, B): A v O, O stays 5-4; B v O, B 7-2; B v Reject 9-0: B adopted.
  // Other order   (B, A): B v O, B 7-2;      A v B, A 6-3; A v Reject 9-0: A adopted.
  const cycle = pairwiseMatrix(
    papers(VARIANTS, [
      [4, 'AmendA>AmendB>Original'],
      [3, 'AmendB>Original>AmendA'],
      [2, 'Original>AmendA>AmendB'],
    ]),
  );

  test('the declared order: each amendment against the text as it stands, then the rejection', () => {
    const run = runAgenda(setup, [A, B], cycle);
    expect(
      run.steps.map((s) => [s.standing, s.challenger, Number(s.forChallenger), Number(s.forStanding), s.winner]),
    ).toEqual([
      [O, A, 4, 5, O],
      [O, B, 7, 2, B],
      [B, R, 0, 9, B],
    ]);
    expect(run.outcome).toBe(B);
  });

  test('the order matters here: (A, B) adopts B, (B, A) adopts A', () => {
    const analysis = analyseAgendaOrders(setup, [A, B], cycle);
    expect(analysis.declared.outcome).toBe(B);
    expect(analysis.orderMatters).toBe(true);
    expect(analysis.outcomes).toEqual([
      { outcome: B, orders: [[A, B]] },
      { outcome: A, orders: [[B, A]] },
    ]);
    // The ranked question's Schulze count on the same papers: no Condorcet winner; A's
    // strongest paths beat both (A>B 6 v B>A min(7,5)=5; A>O min(6,7)=6 v O>A 5).
    const schulze = countSchulze(
      papers(VARIANTS, [
        [4, 'AmendA>AmendB>Original'],
        [3, 'AmendB>Original>AmendA'],
        [2, 'Original>AmendA>AmendB'],
      ]),
      'seed',
    );
    expect(schulze.pairwise!.condorcetWinner).toBeNull();
    expect(schulze.elected).toEqual(['AmendA']);
  });

  test('with a Condorcet winner every order adopts it', () => {
    // 5: A > O > B, 4: B > O > A. A v O 5-4, A v B 5-4, O v B 5-4.
    // (A, B): A beats O, A beats B. (B, A): O beats B, A beats O. Both adopt A.
    const pw = pairwiseMatrix(
      papers(VARIANTS, [
        [5, 'AmendA>Original>AmendB'],
        [4, 'AmendB>Original>AmendA'],
      ]),
    );
    const analysis = analyseAgendaOrders(setup, [B, A], pw);
    expect(analysis.orderMatters).toBe(false);
    expect(analysis.outcomes).toEqual([
      {
        outcome: A,
        orders: [
          [A, B],
          [B, A],
        ],
      },
    ]);
  });

  test('a tied step keeps the text as it stands, and the motion can fall at the last step', () => {
    // 2: A > O (Reject unranked), 2: Reject > O > A.
    // A v O: 2 to 2, a tie, O stays. O v Reject: 2 to 2, a tie, O stays: the original is adopted.
    const pw = pairwiseMatrix(
      papers(VARIANTS, [
        [2, 'AmendA>Original'],
        [2, 'Reject>Original>AmendA'],
      ]),
    );
    const oneAmendment = { original: O, amendments: [A], rejection: R };
    const run = runAgenda(oneAmendment, [A], pw);
    expect(run.steps.map((s) => [s.winner, Number(s.forChallenger), Number(s.forStanding)])).toEqual([
      [O, 2, 2],
      [O, 2, 2],
    ]);
    const falls = pairwiseMatrix(
      papers(VARIANTS, [
        [2, 'AmendA>Original'],
        [3, 'Reject>AmendA>Original'],
      ]),
    );
    // A v O: 5-0, A adopted as the text; A v Reject: 2 to 3, the motion falls.
    expect(runAgenda(oneAmendment, [A], falls).outcome).toBe(R);
  });

  test('a declared order must name every amendment once', () => {
    expect(() => checkAgendaOrder(setup, [A])).toThrow(/every amendment/);
    expect(() => checkAgendaOrder(setup, [A, A])).toThrow(/named twice/);
    expect(() => checkAgendaOrder(setup, [A, R])).toThrow(/not one of the amendments/);
    expect(() => checkAgendaOrder(setup, [B, A])).not.toThrow();
  });
});

describe('the agenda under every order (properties)', () => {
  // Random papers over the original, three amendments and the rejection (five variants).
  const paper = fc
    .shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1 })
    .map((order) => ({ weight: rat(1), ranking: order.map((c) => [c]) }));
  const five = { original: 0, amendments: [1, 2, 3], rejection: 4 };
  const electionOf = (ballots: Array<{ weight: ReturnType<typeof rat>; ranking: number[][] }>) => ({
    title: 'amendments',
    candidates: ['O', 'A1', 'A2', 'A3', 'Reject'],
    seats: 1,
    withdrawn: [],
    ballots,
  });

  test('every order is counted once, and a Condorcet winner is adopted whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(paper, { minLength: 1, maxLength: 30 }),
        fc.shuffledSubarray([1, 2, 3], { minLength: 3 }),
        (ballots, declared) => {
          const pw = pairwiseMatrix(electionOf(ballots));
          const analysis = analyseAgendaOrders(five, declared, pw);
          const orders = analysis.outcomes.flatMap((o) => o.orders.map((x) => x.join()));
          expect(orders).toHaveLength(6);
          expect(new Set(orders).size).toBe(6);
          expect(analysis.outcomes[0]!.outcome).toBe(analysis.declared.outcome);
          expect(analysis.orderMatters).toBe(analysis.outcomes.length > 1);
          const winner = condorcetWinner([0, 1, 2, 3, 4], pw);
          if (winner !== null) expect(analysis.outcomes).toEqual([{ outcome: winner, orders: expect.any(Array) }]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the agenda as a question declares it and its result stores it', () => {
  const declared = { original: 0, amendments: [1, 2], rejection: 3, order: [1, 2] };

  test('a declared agenda must name distinct options of the question, each amendment once', () => {
    expect(agendaIssue(declared, 4)).toBeNull();
    expect(agendaIssue(declared, 3)).toBe('every option number must be below 3');
    expect(agendaIssue({ ...declared, rejection: 2 }, 4)).toMatch(/must be distinct/);
    expect(agendaIssue({ ...declared, order: [1, 1] }, 4)).toBe('order: amendment 1 is named twice');
    expect(agendaIssue({ ...declared, order: [1] }, 4)).toBe('order: every amendment must be named once');
  });

  test('the stored result: labels and exact figures, weights as fractions where they are', () => {
    // The nine members of the hand-worked cycle, one of the O > A > B members with weight 1/2.
    const election = papers(VARIANTS, [
      [4, 'AmendA>AmendB>Original'],
      [3, 'AmendB>Original>AmendA'],
      [1, 'Original>AmendA>AmendB'],
    ]);
    const last = election.ballots[election.ballots.length - 1]!;
    const pw = pairwiseMatrix({ ...election, ballots: [...election.ballots, { ...last, weight: rat(1, 2) }] });
    const r = agendaResult(declared, VARIANTS, pw);
    // (A, B): O v A is 4.5 to 4, O stays; B v O 7 to 1.5; B adopted. (B, A): B, then A v B 5.5 to 3: A.
    expect(r.steps.map((s) => [s.standing, s.challenger, s.forChallenger, s.forStanding, s.winner])).toEqual([
      ['Original', 'AmendA', '4', '4.5', 'Original'],
      ['Original', 'AmendB', '7', '1.5', 'AmendB'],
      ['AmendB', 'Reject', '0', '8.5', 'AmendB'],
    ]);
    expect(r.outcome).toBe('AmendB');
    expect(r.outcomes).toEqual([
      { outcome: 'AmendB', orders: [['AmendA', 'AmendB']] },
      { outcome: 'AmendA', orders: [['AmendB', 'AmendA']] },
    ]);
    expect(r.orderMatters).toBe(true);
  });
});

describe("an amended question's versions (docs/proposals.md#amendments-to-a-question)", () => {
  test('the union of the versions keeps the original first, then each new option where it first appears', () => {
    expect(
      unionOfVersions([
        ['Red', 'Blue'],
        ['Red', 'Blue', 'Green'],
        ['Red', 'Navy'],
      ]),
    ).toEqual({
      union: ['Red', 'Blue', 'Green', 'Navy'],
      positions: [
        [0, 1],
        [0, 1, 2],
        [0, 3],
      ],
    });
  });

  test('options differing only in case are one option, spelled as it first appears', () => {
    expect(
      unionOfVersions([
        ['Red', 'Blue'],
        ['red', 'Green'],
        ['GREEN', 'Blue'],
      ]),
    ).toEqual({
      union: ['Red', 'Blue', 'Green'],
      positions: [
        [0, 1],
        [0, 2],
        [2, 1],
      ],
    });
  });

  test("a ranking with the struck options left out gives the member's highest-ranked option still standing", () => {
    const standing = new Set([0, 3]);
    expect(firstStanding([2, 3, 0, 1], standing)).toBe(3);
    expect(firstStanding([1, 0], standing)).toBe(0);
    expect(firstStanding([2], standing)).toBeNull();
    expect(firstStanding([], standing)).toBeNull();
  });

  test('declared versions name options of the question, each once, and every option belongs to one', () => {
    const versions = {
      question: 'Which version?',
      options: [
        [0, 1],
        [0, 1, 2],
        [0, 3],
      ],
    };
    expect(versionsIssue(versions, 4)).toBeNull();
    expect(versionsIssue(versions, 3)).toMatch(/version 3: every option number must be below 3/);
    expect(
      versionsIssue(
        {
          ...versions,
          options: [
            [0, 1],
            [0, 0, 2],
          ],
        },
        3,
      ),
    ).toMatch(/version 2: an option is named twice/);
    expect(versionsIssue(versions, 5)).toBe('every option must belong to some version');
  });
});

/**
 * The smallest flip of each declared comparison, for every method: hand-worked examples,
 * and property tests that every witness flips when replayed — the conference's by changing
 * the stored votes it names and counting the question again (countQuestion, the real
 * conference count and procedure), the members' through `tally`.
 */
import { comparisonSchema, type DeclaredComparison, type Question, type StoredVote } from '../../src/domain/ballot';
import { countQuestion, questionElection, tallyOptions, type UnitFacts } from '../../src/domain/count';
import { paperWords, type FlipFinding } from '../../src/delegates/conference-flip';
import { methodOf, type Method } from '../../src/methods/index';
import { tally } from '../../src/tally/index';
import { rat } from '../../src/tally/rational';

const OPTIONS = ['X', 'Y', 'Z'];
const question = (method: Method, comparisons: DeclaredComparison[], settings: object = {}): Question =>
  ({
    id: 'q1',
    position: 0,
    title: 'Conference venue',
    description: '',
    method,
    settings: methodOf(method).settings.parse(settings) as Question['settings'],
    options: OPTIONS.map((label, position) => ({ id: `o${position}`, position, label, description: '' })),
    comparisons,
  }) as Question;
type Answer = StoredVote['answers'][string];
const cast = (rows: ReadonlyArray<readonly [string, Answer, number]>): StoredVote[] =>
  rows.flatMap(([unit, answer, n]) =>
    Array.from({ length: n }, () => ({ unit, weight: '1', answers: { q1: answer } })),
  );
const unitsOf = (members: Record<string, number>): UnitFacts[] =>
  Object.entries(members).map(([name, m]) => ({ name, branches: [name], pooled: false, members: m, electorate: m }));
const declare = (c: unknown) => comparisonSchema.parse(c);
const choice = (option: number): Answer => ({ kind: 'choice', option });
const ranking = (...options: number[]): Answer => ({ kind: 'ranking', options });

/** The vote for option `y` alone, as the flips' witnesses cast it. */
function voteFor(q: Question, y: number): Answer {
  switch (q.method) {
    case 'plurality':
    case 'yesno':
      return choice(y);
    case 'approval':
    case 'block':
      return { kind: 'marks', options: [y] };
    case 'score': {
      const max = (q.settings as { maxScore?: number }).maxScore ?? 10;
      return { kind: 'scores', scores: q.options.map((_, i) => (i === y ? max : null)) };
    }
    default:
      return ranking(y);
  }
}

/** The stored votes with the witness's changes: in each branch, so many papers of each kind become the vote for `to`. */
function replayed(q: Question, votes: StoredVote[], f: FlipFinding): StoredVote[] {
  const y = OPTIONS.indexOf(f.to);
  const count = tallyOptions(q, rat(votes.length), 'ballot:0');
  const out = [...votes];
  for (const c of f.changes) {
    for (const [words, n] of Object.entries(c.from)) {
      let left = n;
      out.forEach((v, i) => {
        if (left === 0 || (c.branch !== null && v.unit !== c.branch)) return;
        const paper = questionElection(q, [v], '').ballots[0];
        if (paper && paperWords(paper, OPTIONS, count.method) === words) {
          out[i] = { ...v, answers: { q1: voteFor(q, y) } };
          left--;
        }
      });
      expect(left).toBe(0);
    }
  }
  return out;
}

/** Each comparison's conference flip and the members' flip, replayed from their witnesses. */
function expectWitnessesFlip(q: Question, votes: StoredVote[], units: UnitFacts[]): number {
  let replays = 0;
  const before = countQuestion(q, votes, rat(votes.length), 'ballot', units);
  before.comparisons!.forEach((c, i) => {
    if (c.elected === null || !c.flip) return;
    const conf = c.flip.conference;
    if (conf) {
      replays++;
      expect(conf.members).toBe(conf.changes.reduce((a, x) => a + x.members, 0));
      expect(conf.branches).toBe(conf.changes.length);
      // Recounted without flips: only what the conference decides is asked.
      const after = countQuestion(
        q,
        replayed(q, votes, conf),
        rat(votes.length),
        'ballot',
        units,
        null,
        'ballot',
        false,
      ).comparisons![i]!;
      expect(after.elected).not.toBeNull();
      expect([...after.elected!].sort()).not.toEqual([...c.elected].sort());
      expect(after.comparison!.ties.filter((t) => t.brokenBy === 'lot' && t.stage !== 'members’ vote')).toEqual([]);
    }
    const own = c.flip.members;
    if (own) {
      const changed = replayed(q, votes, own);
      const options = tallyOptions(q, rat(votes.length), 'ballot:0');
      const r = tally(questionElection(q, changed, q.title) as never, options);
      expect(r.ties.filter((t) => t.brokenBy === 'lot')).toEqual([]);
      expect([...r.elected].sort()).not.toEqual([...before.elected].sort());
    }
  });
  return replays;
}

describe('hand-worked', () => {
  // A (50): X 30, Y 20; B (30): Y 20, Z 10; C (20): Z 15, X 5. Hamilton gives 10 delegates
  // as A 5, B 3, C 2; as blocs X 5, Y 3, Z 2, so the conference chooses X; the members Y
  // (40, X 35, Z 25). Cheapest conference flip: 6 of A's X voters vote Y (A: Y 26, X 24),
  // A's 5 delegates go to Y, which then has 8. C turned to Y (8 members) gives Y only 5 to
  // X's 5... no: X keeps 5, so not enough; turning A is the one way under 8 members. The
  // members' vote: 3 Y voters voting X make X 38 against Y 37.
  const votes = cast([
    ['A', choice(0), 30],
    ['A', choice(1), 20],
    ['B', choice(1), 20],
    ['B', choice(2), 10],
    ['C', choice(2), 15],
    ['C', choice(0), 5],
  ]);
  const units = unitsOf({ A: 50, B: 30, C: 20 });
  const hamilton = { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 } as const;

  test('plurality by the method: exact on both sides, in plain words', () => {
    const q = question('plurality', [declare({ model: hamilton })]);
    const r = countQuestion(q, votes, rat(100), 'ballot', units);
    const flip = r.comparisons![0]!.flip!;
    expect(flip.conference).toMatchObject({ exact: true, members: 6, branches: 1, to: 'Y' });
    expect(flip.conference!.changes).toEqual([{ branch: 'A', from: { X: 6 }, to: 'Y', members: 6 }]);
    expect(flip.members).toMatchObject({ exact: true, members: 3, branches: null, from: 'Y', to: 'X' });
    expect(flip.summary).toBe(
      "6 members in 1 branch would have flipped the conference; 3 would have flipped the members' vote.",
    );
    expectWitnessesFlip(q, votes, units);
  });

  test('plurality by exhaustive ballot: an upper bound, replayed', () => {
    // Exhaustive: X 5, Y 3, Z 2; no majority (6 of 10), Z out, C's delegates prefer X
    // (5 to 0): X 7 wins. Turning A to Y (6 members) gives Y 8 of 10 at once.
    const q = question('plurality', [declare({ model: hamilton, procedure: { kind: 'exhaustive' } })]);
    const c = countQuestion(q, votes, rat(100), 'ballot', units).comparisons![0]!;
    expect(c.elected).toEqual(['X']);
    expect(c.flip!.conference).toMatchObject({ exact: false, members: 6, branches: 1, from: 'X', to: 'Y' });
    expect(c.flip!.summary).toMatch(/^At most 6 members in 1 branch would have flipped the conference; 3 would/);
    expectWitnessesFlip(q, votes, units);
  });

  test('IRV, bloc: the branch turned at its fewest papers', () => {
    // A (3 delegates by fixed numbers): X>Y 10, Y>X 8. B (2): Y>X 10, X>Y 2. The
    // conference: X 3, Y 2, X. Two of A's X>Y papers voting Y alone make A Y 10 to X 8:
    // Y 5. The members: Y 18, X 12; four Y papers voting X make X 16, Y 14 (three tie).
    const irv = cast([
      ['A', ranking(0, 1), 10],
      ['A', ranking(1, 0), 8],
      ['B', ranking(1, 0), 10],
      ['B', ranking(0, 1), 2],
    ]);
    const u = unitsOf({ A: 18, B: 12 });
    const q = question('irv', [
      declare({ model: { basis: 'members', rule: 'bloc', method: 'fixed', numbers: { A: 3, B: 2 } } }),
    ]);
    const c = countQuestion(q, irv, rat(30), 'ballot', u).comparisons![0]!;
    expect(c.elected).toEqual(['X']);
    expect(c.flip!.conference).toMatchObject({ exact: false, members: 2, branches: 1, from: 'X', to: 'Y' });
    expect(c.flip!.conference!.changes).toEqual([{ branch: 'A', from: { 'X > Y': 2 }, to: 'Y', members: 2 }]);
    expect(c.flip!.members).toMatchObject({ exact: false, members: 4, from: 'Y', to: 'X' });
    expect(c.flip!.summary).toBe(
      "At most 2 members in 1 branch would have flipped the conference; at most 4 would have flipped the members' vote.",
    );
    expectWitnessesFlip(q, irv, u);
  });

  test('Borda, bloc: one paper turns a branch', () => {
    // A (3 delegates): X>Y>Z 3, Y>X>Z 2: X 8, Y 7. B (2): Y>Z>X 3: Y 6, Z 3. The
    // conference: X 3, Y 2, so X. One of A's X>Y>Z papers voting Y alone gives A Y 8 to
    // X 6.5 (an unranked option shares what is left): Y 5. The members: Y 13, X 8. A
    // Y>Z>X paper turned to X alone moves Y−X by 3.5, so two would do; method-flip.ts takes
    // the papers ranking Y first in paper order, A's Y>X>Z first (2.5 each), and stops at
    // three: an upper bound, and said so ("at most").
    const borda = cast([
      ['A', ranking(0, 1, 2), 3],
      ['A', ranking(1, 0, 2), 2],
      ['B', ranking(1, 2, 0), 3],
    ]);
    const u = unitsOf({ A: 5, B: 3 });
    const q = question('borda', [
      declare({ model: { basis: 'members', rule: 'bloc', method: 'fixed', numbers: { A: 3, B: 2 } } }),
    ]);
    const c = countQuestion(q, borda, rat(8), 'ballot', u).comparisons![0]!;
    expect(c.elected).toEqual(['X']);
    expect(c.flip!.conference).toMatchObject({ exact: false, members: 1, branches: 1, from: 'X', to: 'Y' });
    expect(c.flip!.conference!.changes).toEqual([{ branch: 'A', from: { 'X > Y > Z': 1 }, to: 'Y', members: 1 }]);
    expect(c.flip!.members).toMatchObject({ exact: false, members: 3, from: 'Y', to: 'X' });
    expect(c.flip!.summary).toBe(
      "At most 1 member in 1 branch would have flipped the conference; at most 3 would have flipped the members' vote.",
    );
    expectWitnessesFlip(q, borda, u);
  });

  test('score, weighted: the heaviest papers first; the members exact', () => {
    // Max 10. A (1 delegate, 4 voters): X 10 each. B (3 delegates, 4 voters): Y 10, 10, 10, 9.
    // Weighted by delegates per vote (A 1/4, B 3/4): X 10, Y 29.25, so Y. Each of B's papers
    // turned to X alone moves 7.5 each way: one gives X 17.5, Y 21.75; two give X 25, Y 14.25.
    // The members: X 40, Y 39; one X paper turned to Y alone makes Y 49 > X 30: 1, exact.
    const score = cast([
      ['A', { kind: 'scores', scores: [10, null, null] }, 4],
      ['B', { kind: 'scores', scores: [null, 10, null] }, 3],
      ['B', { kind: 'scores', scores: [null, 9, null] }, 1],
    ]);
    const u = unitsOf({ A: 4, B: 4 });
    const q = question(
      'score',
      [declare({ model: { basis: 'members', rule: 'weighted', method: 'fixed', numbers: { A: 1, B: 3 } } })],
      { maxScore: 10 },
    );
    const c = countQuestion(q, score, rat(8), 'ballot', u).comparisons![0]!;
    expect(c.elected).toEqual(['Y']);
    expect(c.flip!.conference).toMatchObject({ members: 2, branches: 1, from: 'Y', to: 'X' });
    expect(c.flip!.members).toMatchObject({ exact: true, members: 1, from: 'X', to: 'Y' });
    expectWitnessesFlip(q, score, u);
  });
});

/** A small deterministic generator, so that a failure names its case. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('property: every witness flips when replayed', () => {
  const methods: Method[] = ['plurality', 'approval', 'score', 'irv', 'borda', 'schulze', 'stv'];
  const models = [
    { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 9 },
    { basis: 'members', rule: 'proportional', method: 'dhondt', seats: 9 },
    { basis: 'members', rule: 'weighted', method: 'hamilton', seats: 9 },
  ];
  for (const method of methods)
    test(method, () => {
      let replays = 0;
      for (let seed = 1; seed <= 3; seed++) {
        const r = lcg(seed * 7919 + method.length);
        const answer = (): Answer => {
          const perm = [0, 1, 2].sort(() => r(3) - 1);
          if (method === 'plurality') return choice(perm[0]!);
          if (method === 'approval') return { kind: 'marks', options: perm.slice(0, 1 + r(2)) };
          if (method === 'score') return { kind: 'scores', scores: [r(6), r(6), r(6)] };
          return ranking(...perm.slice(0, 1 + r(3)));
        };
        const branches = ['A', 'B', 'C', 'D'];
        const votes = branches.flatMap((unit) =>
          Array.from({ length: 4 + r(12) }, () => ({ unit, weight: '1', answers: { q1: answer() } })),
        );
        const members = Object.fromEntries(branches.map((b) => [b, votes.filter((v) => v.unit === b).length + r(5)]));
        const comparisons = models
          .filter((m) => method !== 'stv' || m.rule === 'weighted')
          .flatMap((m) => [
            declare({ model: m }),
            ...(method === 'plurality' ? [declare({ model: m, procedure: { kind: 'exhaustive' } })] : []),
          ]);
        const settings = method === 'score' ? { maxScore: 5 } : method === 'stv' ? { seats: 2, rules: 'meek' } : {};
        replays += expectWitnessesFlip(question(method, comparisons, settings), votes, unitsOf(members));
      }
      // Some conference witness was found and replayed for this method.
      expect(replays).toBeGreaterThan(0);
    });
});

import fc from 'fast-check';
import { tally, type TallyOptions } from '../../src/tally/index';
import { rat } from '../../src/tally/rational';
import type { Election, RankedBallot, TallyResult } from '../../src/tally/types';

const NAMES = ['Ann', 'Bob', 'Cy', 'Di', 'Ed', 'Flo'];

/** A ranking over n candidates: some of them, in some order, cut into equal-preference groups. */
const rankingArb = (n: number, equal = true): fc.Arbitrary<number[][]> =>
  fc
    .tuple(fc.shuffledSubarray([...Array(n).keys()]), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
    .map(([order, cuts]) => {
      const groups: number[][] = [];
      order.forEach((c, k) => {
        const last = groups[groups.length - 1];
        if (last !== undefined && equal && cuts[k]) last.push(c);
        else groups.push([c]);
      });
      return groups.map((g) => g.sort((a, b) => a - b));
    });

const electionArb = (
  opts: { minC?: number; maxC?: number; equal?: boolean; seats?: boolean } = {},
): fc.Arbitrary<Election<RankedBallot>> =>
  fc.integer({ min: opts.minC ?? 2, max: opts.maxC ?? 5 }).chain((n) =>
    fc
      .record({
        seats: opts.seats ? fc.integer({ min: 1, max: n }) : fc.constant(1),
        ballots: fc.array(
          fc.record({
            weight: fc.integer({ min: 0, max: 3 }).map((w) => rat(w)),
            ranking: rankingArb(n, opts.equal ?? true),
          }),
          { maxLength: 25 },
        ),
      })
      .map(({ seats, ballots }) => ({ title: 'p', candidates: NAMES.slice(0, n), withdrawn: [], seats, ballots })),
  );

const RANKED: TallyOptions[] = [
  { method: 'plurality' },
  { method: 'block' },
  { method: 'approval' },
  { method: 'borda' },
  { method: 'borda', variant: 'dowdall' },
  { method: 'schulze' },
  { method: 'ranked-pairs' },
  { method: 'copeland' },
];
const countable = (o: TallyOptions, e: Election<RankedBallot>): boolean => o.method !== 'irv' || e.seats === 1;
const run = (e: Election<RankedBallot>, o: TallyOptions): TallyResult =>
  tally(e, o as TallyOptions & { method: 'irv' });
const json = (r: TallyResult): string => JSON.stringify(r);

describe('properties of every non-STV method', () => {
  test('the order of the ballots does not matter', () => {
    fc.assert(
      fc.property(
        electionArb({ seats: true }).chain((e) =>
          fc.tuple(
            fc.constant(e),
            fc.shuffledSubarray([...e.ballots], { minLength: e.ballots.length, maxLength: e.ballots.length }),
          ),
        ),
        ([e, shuffled]) => {
          for (const o of [...RANKED, { method: 'irv' } as const]) {
            if (!countable(o, e)) continue;
            expect(json(run({ ...e, ballots: shuffled }, o))).toBe(json(run(e, o)));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('renaming the candidates renames the winners', () => {
    fc.assert(
      fc.property(electionArb({ seats: true }), fc.string({ minLength: 1, maxLength: 4 }), (e, prefix) => {
        const rename = (s: string): string => `${prefix}#${s.split('').reverse().join('')}`;
        const renamed = { ...e, candidates: e.candidates.map(rename) };
        for (const o of [...RANKED, { method: 'irv' } as const]) {
          if (!countable(o, e)) continue;
          expect(run(renamed, o).elected).toEqual(run(e, o).elected.map(rename));
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a ballot of weight 2 counts exactly as the same ballot given twice', () => {
    fc.assert(
      fc.property(electionArb({ seats: true }), fc.nat(), (e, pick) => {
        if (e.ballots.length === 0) return;
        const k = pick % e.ballots.length;
        const b = e.ballots[k]!;
        const doubled = {
          ...e,
          ballots: e.ballots.map((x, i) => (i === k ? { ...x, weight: rat(b.weight.num * 2n) } : x)),
        };
        const twice = { ...e, ballots: [...e.ballots, b] };
        for (const o of [...RANKED, { method: 'irv' } as const]) {
          if (!countable(o, e)) continue;
          const a = run(doubled, o);
          const t = run(twice, o);
          // Paper counts (summary) differ by design; everything counted must not.
          expect({ ...a, summary: undefined }).toEqual({ ...t, summary: undefined });
        }
      }),
      { numRuns: 60 },
    );
  });

  test('the same input gives byte-identical JSON', () => {
    fc.assert(
      fc.property(electionArb({ seats: true }), fc.string(), (e, seed) => {
        for (const o of [...RANKED, { method: 'irv' } as const]) {
          if (!countable(o, e)) continue;
          const copy: Election<RankedBallot> = JSON.parse(
            JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
            (_k, v: unknown) => (typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v),
          );
          expect(json(run(copy, { ...o, seed }))).toBe(json(run(e, { ...o, seed })));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('score voting properties', () => {
  const scoreElection = fc.integer({ min: 1, max: 5 }).chain((n) =>
    fc
      .record({
        seats: fc.integer({ min: 1, max: n }),
        ballots: fc.array(
          fc.record({
            weight: fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 3 })).map(([p, q]) => rat(p, q)),
            scores: fc.array(fc.option(fc.integer({ min: -1, max: 6 }), { nil: null }), { minLength: n, maxLength: n }),
          }),
          { maxLength: 20 },
        ),
      })
      .map(({ seats, ballots }) => ({ title: 's', candidates: NAMES.slice(0, n), withdrawn: [], seats, ballots })),
  );

  test('ballot order does not matter, and weight 2 counts as the ballot twice', () => {
    fc.assert(
      fc.property(scoreElection, fc.nat(), (e, pick) => {
        const r = tally(e, { method: 'score', maxScore: 5 });
        expect(
          JSON.stringify(tally({ ...e, ballots: [...e.ballots].reverse() }, { method: 'score', maxScore: 5 })),
        ).toBe(JSON.stringify(r));
        if (e.ballots.length === 0) return;
        const k = pick % e.ballots.length;
        const b = e.ballots[k]!;
        const doubled = {
          ...e,
          ballots: e.ballots.map((x, i) => (i === k ? { ...x, weight: rat(b.weight.num * 2n, b.weight.den) } : x)),
        };
        const twice = { ...e, ballots: [...e.ballots, b] };
        const d = tally(doubled, { method: 'score', maxScore: 5 });
        const t = tally(twice, { method: 'score', maxScore: 5 });
        expect({ ...d, summary: { ...d.summary, invalidPapers: null } }).toEqual({
          ...t,
          summary: { ...t.summary, invalidPapers: null },
        });
      }),
      { numRuns: 80 },
    );
  });
});

/** The pairwise matrix the slow way: every pair, every paper. */
function bruteForcePairwise(e: Election<RankedBallot>): bigint[][] {
  const n = e.candidates.length;
  const m = Array.from({ length: n }, () => new Array<bigint>(n).fill(0n));
  for (const b of e.ballots) {
    if (b.ranking.length === 0) continue;
    const level = new Array<number>(n).fill(Infinity);
    b.ranking.forEach((g, k) =>
      g.forEach((c) => {
        level[c] = k;
      }),
    );
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (level[i]! < level[j]!) m[i]![j]! += b.weight.num;
  }
  return m;
}

describe('Condorcet properties', () => {
  test('the matrix is the brute-force count, and Schulze, ranked pairs and Copeland all elect the Condorcet winner', () => {
    let withWinner = 0;
    fc.assert(
      fc.property(electionArb({ minC: 3, maxC: 6 }), (e) => {
        const m = bruteForcePairwise(e);
        const n = e.candidates.length;
        const winner = [...Array(n).keys()].find((i) =>
          [...Array(n).keys()].every((j) => j === i || m[i]![j]! > m[j]![i]!),
        );
        for (const method of ['schulze', 'ranked-pairs', 'copeland'] as const) {
          const r = tally(e, { method });
          expect(r.pairwise?.matrix).toEqual(m.map((row) => row.map(String)));
          if (winner !== undefined) {
            expect(r.pairwise?.condorcetWinner).toBe(e.candidates[winner]);
            expect(r.elected).toEqual([e.candidates[winner]]);
          } else {
            expect(r.pairwise?.condorcetWinner).toBeNull();
          }
        }
        if (winner !== undefined) withWinner++;
      }),
      { numRuns: 150 },
    );
    expect(withWinner).toBeGreaterThan(20);
  });
});

describe('IRV properties', () => {
  test('with two candidates IRV is majority rule', () => {
    fc.assert(
      fc.property(electionArb({ minC: 2, maxC: 2 }), (e) => {
        let a = 0n,
          b = 0n;
        for (const x of e.ballots) {
          const top = x.ranking[0];
          if (top === undefined || top.length !== 1) continue;
          if (top[0] === 0) a += x.weight.num;
          else b += x.weight.num;
        }
        const r = tally(e, { method: 'irv' });
        if (a > b) expect(r.elected).toEqual([e.candidates[0]]);
        else if (b > a) expect(r.elected).toEqual([e.candidates[1]]);
        else expect(r.ties.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  test('every round accounts for all the votes: continuing + exhausted = non-blank weight', () => {
    fc.assert(
      fc.property(electionArb({ minC: 2, maxC: 6 }), (e) => {
        let live = 0n;
        for (const b of e.ballots) if (b.ranking.length > 0) live += b.weight.num;
        const r = tally(e, { method: 'irv' });
        for (const round of r.rounds) {
          const total = [...Object.values(round.votes), round.exhausted ?? '0']
            .map((v) => {
              const [p, q] = v.split('/');
              return { num: BigInt(p!), den: BigInt(q ?? '1') };
            })
            .reduce((s, x) => ({ num: s.num * x.den + x.num * s.den, den: s.den * x.den }), { num: 0n, den: 1n });
          expect(total.num).toBe(live * total.den);
        }
      }),
      { numRuns: 100 },
    );
  });
});

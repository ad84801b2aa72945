/**
 * Properties of every STV rule set, on small random elections (fast-check).
 */
import fc from 'fast-check';
import { countStv } from '../../../src/tally/stv';
import { rat, type Rational } from '../../../src/tally/rational';
import type { Election, RankedBallot, StvRules, TallyResult } from '../../../src/tally/types';
import { units } from './helpers';

const RULES: StvRules[] = ['scottish', 'meek', 'ers97'];
const PLACES: Record<StvRules, number> = { scottish: 5, meek: 9, ers97: 2 };

/** A small election: 2 to 6 candidates, up to 30 ballots, at most one withdrawn candidate. */
const electionArb = (weight: fc.Arbitrary<Rational>): fc.Arbitrary<Election<RankedBallot>> =>
  fc.integer({ min: 2, max: 6 }).chain((n) => {
    const indices = Array.from({ length: n }, (_, i) => i);
    return fc.record({
      title: fc.constant('random'),
      candidates: fc.constant(indices.map((i) => `C${i + 1}`)),
      withdrawn: fc
        .option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined })
        .map((w) => (w === undefined ? [] : [w])),
      seats: fc.integer({ min: 1, max: n }),
      ballots: fc.array(fc.record({ weight, ranking: fc.shuffledSubarray(indices).map((cs) => cs.map((c) => [c])) }), {
        maxLength: 30,
      }),
    });
  });

const wholeWeights = fc.integer({ min: 1, max: 4 }).map((k) => rat(k));
const anyWeights = fc.oneof(wholeWeights, fc.constantFrom(rat(1, 2), rat(1, 3), rat(2, 3), rat(7, 4), rat(1, 1000)));
const seedArb = fc.string({ maxLength: 8 });
const runs = { numRuns: 60 };

describe.each(RULES)('%s', (rules) => {
  test('the order of the ballots does not matter', () => {
    fc.assert(
      fc.property(electionArb(anyWeights), seedArb, fc.integer(), (e, seed, k) => {
        const shuffled = [...e.ballots];
        // A deterministic shuffle from k (Fisher-Yates with a small LCG).
        let x = k >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const j = x % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(countStv({ ...e, ballots: shuffled }, rules, seed)).toEqual(countStv(e, rules, seed));
      }),
      runs,
    );
  });

  test('renaming the candidates renames the winners and the figures', () => {
    fc.assert(
      fc.property(electionArb(anyWeights), seedArb, (e, seed) => {
        const rename = (name: string) => `new ${name.toLowerCase()}`;
        const a = countStv(e, rules, seed);
        const b = countStv({ ...e, candidates: e.candidates.map(rename) }, rules, seed);
        expect(b.elected).toEqual(a.elected.map(rename));
        b.rounds.forEach((round, i) => {
          const before = a.rounds[i]!;
          expect(round.votes).toEqual(Object.fromEntries(Object.entries(before.votes).map(([k, v]) => [rename(k), v])));
          expect(round.elected).toEqual(before.elected.map(rename));
          expect(round.excluded).toEqual(before.excluded.map(rename));
        });
        expect(b.ties.map((t) => t.chosen)).toEqual(a.ties.map((t) => t.chosen && rename(t.chosen)));
      }),
      runs,
    );
  });

  test('every round conserves the votes exactly: candidates + exhausted + loss = valid votes', () => {
    fc.assert(
      fc.property(electionArb(anyWeights), seedArb, (e, seed) => {
        const r = countStv(e, rules, seed);
        // The valid votes, computed here: each standing ranking's weight, truncated to the places.
        const scale = 10n ** BigInt(PLACES[rules]);
        const valid = e.ballots
          .filter((b) => b.ranking.some((g) => !e.withdrawn.includes(g[0]!)))
          .reduce((t, b) => t + (b.weight.num * scale) / b.weight.den, 0n);
        expect(units(r.summary!.validVotes as string)).toBe(valid);
        for (const round of r.rounds) {
          const sum = Object.values(round.votes).reduce((t, v) => t + units(v), 0n);
          expect(sum + units(round.exhausted!) + units(round.loss!)).toBe(valid);
          expect(units(round.exhausted!) >= 0n && units(round.loss!) >= 0n).toBe(true);
        }
      }),
      runs,
    );
  });

  test('a ballot of weight 2 counts as the same ballot given twice', () => {
    fc.assert(
      fc.property(
        electionArb(wholeWeights).filter((e) => e.ballots.length > 0),
        seedArb,
        fc.nat(),
        (e, seed, k) => {
          const i = k % e.ballots.length;
          const b = e.ballots[i]!;
          const doubled = e.ballots.map((x, j) => (j === i ? { ...x, weight: rat(x.weight.num * 2n) } : x));
          const twice = [...e.ballots, { ...b }];
          expect(countStv({ ...e, ballots: doubled }, rules, seed)).toEqual(
            countStv({ ...e, ballots: twice }, rules, seed),
          );
        },
      ),
      runs,
    );
  });

  test('every seat is filled by a different standing candidate', () => {
    fc.assert(
      fc.property(electionArb(anyWeights), seedArb, (e, seed) => {
        const r: TallyResult = countStv(e, rules, seed);
        const standing = e.candidates.filter((_, i) => !e.withdrawn.includes(i));
        expect(new Set(r.elected).size).toBe(r.elected.length);
        expect(r.elected.length).toBe(Math.min(e.seats, standing.length));
        for (const name of r.elected) expect(standing).toContain(name);
        expect(r.rounds.flatMap((x) => x.elected)).toEqual(r.elected);
        for (const round of r.rounds) expect(Object.keys(round.votes).sort()).toEqual([...standing].sort());
      }),
      runs,
    );
  });

  test('one seat, two candidates: majority rule', () => {
    const ballot = fc.record({
      weight: wholeWeights,
      ranking: fc.constantFrom([[0]], [[1]], [[0], [1]], [[1], [0]]),
    });
    fc.assert(
      fc.property(fc.array(ballot, { maxLength: 20 }), seedArb, (ballots, seed) => {
        const e: Election<RankedBallot> = { title: 't', candidates: ['A', 'B'], withdrawn: [], seats: 1, ballots };
        const first = (c: number) =>
          ballots.filter((b) => b.ranking[0]![0] === c).reduce((t, b) => t + b.weight.num, 0n);
        const [a, b] = [first(0), first(1)];
        const r = countStv(e, rules, seed);
        if (a > b) expect(r.elected).toEqual(['A']);
        else if (b > a) expect(r.elected).toEqual(['B']);
        else expect(r.ties.some((t) => t.brokenBy === 'lot')).toBe(true);
      }),
      runs,
    );
  });
});

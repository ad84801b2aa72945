import fc from 'fast-check';
import { CsvBallotError, parseRankedCsv, parseScoreCsv } from '../../src/tally/formats/csv';
import { JsonElectionError, parseElectionJson, writeElectionJson } from '../../src/tally/formats/json';
import { CsvSyntaxError } from '../../src/csv/parse';
import { rat } from '../../src/tally/rational';
import type { Election, RankedBallot, ScoreBallot } from '../../src/tally/types';

describe('CSV ballots', () => {
  test('ranks, equal ranks, gaps, blanks and weights', () => {
    const e = parseRankedCsv('Ann,Bob,Cy,Weight\n1,2,,\n2,1,1,2\n,,,1/3\n3,,1,\n', { title: 't', seats: 2 });
    expect(e.candidates).toEqual(['Ann', 'Bob', 'Cy']);
    expect(e.seats).toBe(2);
    expect(e.ballots).toEqual([
      { weight: rat(1), ranking: [[0], [1]] },
      { weight: rat(2), ranking: [[1, 2], [0]] },
      { weight: rat(1, 3), ranking: [] },
      { weight: rat(1), ranking: [[2], [0]] },
    ]);
  });

  test('scores, with blanks as unscored', () => {
    const e = parseScoreCsv('A,B\n5,\n0,3\n');
    expect(e.ballots).toEqual([
      { weight: rat(1), scores: [5, null] },
      { weight: rat(1), scores: [0, 3] },
    ]);
  });

  test('errors name the line and the fault', () => {
    const err = (text: string): unknown => {
      try {
        parseRankedCsv(text);
      } catch (e) {
        return e;
      }
      return null;
    };
    expect(err('A,B\n1,2\n1,x\n')).toEqual(
      new CsvBallotError(3, 'rank "x" for "B" is not a whole number from 1 up (leave it blank for unranked)'),
    );
    expect(String(err('A,B\n1,2\n\n1\n'))).toMatch(/line 4: 1 fields, but the header has 2/);
    expect(String(err('A,A\n1,2\n'))).toMatch(/line 1: candidate "A" named twice/);
    expect(String(err('A,B,weight\n1,2,-1\n'))).toMatch(/line 2: weight -1 is negative/);
    expect(String(err(''))).toMatch(/line 1: the file is empty/);
    expect(err('A,B\n1,"2\n')).toBeInstanceOf(CsvSyntaxError);
    expect(() => parseScoreCsv('A,B\n1,2.5\n')).toThrow(/line 2: score "2.5" for "B" is not a whole number/);
  });
});

describe('JSON elections', () => {
  const text = `{
  "title": "Committee",
  "candidates": ["Ann", "Bob", "Cy"],
  "seats": 2,
  "withdrawn": ["Cy"],
  "ballots": [
    {"weight": "1/3", "ranking": [["Ann"], ["Bob", "Cy"]]},
    {"ranking": ["Bob", "Ann"]},
    {"weight": 2.5, "ranking": []}
  ]
}`;

  test('reads rankings, bare names, weights as strings or exact numbers, withdrawals', () => {
    const p = parseElectionJson(text);
    expect(p.shape).toBe('ranked');
    expect(p.election).toEqual({
      title: 'Committee',
      candidates: ['Ann', 'Bob', 'Cy'],
      seats: 2,
      withdrawn: [2],
      ballots: [
        { weight: rat(1, 3), ranking: [[0], [1, 2]] },
        { weight: rat(1), ranking: [[1], [0]] },
        { weight: rat(5, 2), ranking: [] },
      ],
    });
  });

  test('reads score ballots', () => {
    const p = parseElectionJson(
      '{"candidates":["A","B"],"ballots":[{"scores":{"B":4}},{"weight":"2","scores":{"A":1,"B":null}}]}',
    );
    expect(p.shape).toBe('score');
    expect(p.election.ballots).toEqual([
      { weight: rat(1), scores: [null, 4] },
      { weight: rat(2), scores: [1, null] },
    ]);
    expect(p.election.seats).toBe(1);
  });

  test('errors name the line of the value at fault', () => {
    const at = (t: string): string => {
      try {
        parseElectionJson(t);
      } catch (e) {
        return e instanceof JsonElectionError ? e.message : `other: ${String(e)}`;
      }
      return 'no error';
    };
    expect(at(text.replace('["Bob", "Ann"]', '["Bob", "Dan"]'))).toBe('line 8: unknown candidate "Dan"');
    expect(at(text.replace('["Bob", "Ann"]', '["Bob", "Bob"]'))).toBe('line 8: "Bob" ranked twice on one ballot');
    expect(at(text.replace('"weight": 2.5', '"weight": -1'))).toBe('line 9: "weight" cannot be negative: -1');
    expect(at(text.replace('"seats": 2', '"seats": 0'))).toBe('line 4: "seats" must be a positive whole number');
    expect(at(text.replace('"withdrawn"', '"withdrawn_"'))).toBe(
      'line 5: unknown key "withdrawn_" (expected title, candidates, seats, withdrawn, ballots)',
    );
    expect(at(text.replace('"ranking": []}', '"ranking": []'))).toBe(
      'line 10: expected "," or "}" in an object, found "]"',
    );
    expect(at(text.replace('{"ranking": ["Bob", "Ann"]}', '{"scores": {}}'))).toBe(
      'line 8: a score ballot among ranked ballots: one file holds one kind',
    );
    expect(at('{"candidates": ["A"],\n "ballots": [\n {"ranking": ["A"], "scores": {}}]}')).toBe(
      'line 3: a ballot needs exactly one of "ranking" and "scores"',
    );
    expect(at('{"candidates": ["A"]}')).toBe('line 1: missing "ballots"');
    expect(at('{"candidates": ["A"], "ballots": []} x')).toBe('line 1: unexpected "x" after the election');
  });

  const ranking = (n: number): fc.Arbitrary<number[][]> =>
    fc.shuffledSubarray([...Array(n).keys()]).map((o) => o.map((c) => [c]));
  const weight = fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 7 })).map(([p, q]) => rat(p, q));

  test('write then read gives the same election (ranked and score)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s.trim() !== ''),
          { minLength: 1, maxLength: 5 },
        ),
        fc.string(),
        (candidates, title) => {
          const n = candidates.length;
          const ranked: Election<RankedBallot> = {
            title,
            candidates,
            seats: 1,
            withdrawn: [0],
            ballots: fc.sample(fc.record({ weight, ranking: ranking(n) }), 5),
          };
          const back = parseElectionJson(writeElectionJson(ranked));
          expect(back).toEqual({ shape: 'ranked', election: ranked });
          const scored: Election<ScoreBallot> = {
            title,
            candidates,
            seats: 1,
            withdrawn: [],
            ballots: fc.sample(
              fc.record({
                weight,
                scores: fc.array(fc.option(fc.nat(10), { nil: null }), { minLength: n, maxLength: n }),
              }),
              5,
            ),
          };
          expect(parseElectionJson(writeElectionJson(scored))).toEqual({ shape: 'score', election: scored });
        },
      ),
      { numRuns: 40 },
    );
  });
});

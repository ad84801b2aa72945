/** The BLT reader and writer: every file of the corpus, malformed input, and a round trip. */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { BltSyntaxError, parseBlt, writeBlt } from '../../../src/tally/formats/blt';
import { countStv } from '../../../src/tally/stv';
import { rat } from '../../../src/tally/rational';
import type { Election, RankedBallot } from '../../../src/tally/types';

// A copy of the corpus kept in the repository (source and licence: fixtures/stv/SOURCE.md).
const CORPUS = path.resolve(__dirname, '../../fixtures/stv');
const BLT = path.join(CORPUS, 'droop/blt');

function bltFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? bltFiles(path.join(dir, d.name)) : d.name.endsWith('.blt') ? [path.join(dir, d.name)] : [],
    );
}
const read = (rel: string) => parseBlt(fs.readFileSync(path.join(BLT, rel), 'utf8'));

/** Files of the corpus this reader refuses, and why. */
const UNSUPPORTED: Record<string, RegExp> = {
  'mpls/loser.blt': /^line 2: option \[droop\] is not supported/,
  'mpls/tie.blt': /^line 2: option \[droop\] is not supported/,
  'mpls/undeclared.blt': /^line 2: option \[undeclared\] is not supported/,
};

describe('every BLT file of the corpus', () => {
  const files = bltFiles(BLT)
    .map((f) => path.relative(BLT, f))
    .sort();
  test('there are files to read', () => expect(files.length).toBeGreaterThan(40));

  test.each(files)('%s', (rel) => {
    const text = fs.readFileSync(path.join(BLT, rel), 'utf8');
    const refused = UNSUPPORTED[rel];
    if (refused) {
      expect(() => parseBlt(text)).toThrow(BltSyntaxError);
      expect(() => parseBlt(text)).toThrow(refused);
      return;
    }
    const e = parseBlt(text);
    // The first line gives the candidates and seats; every ranking names real candidates.
    const [nc, seats] = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(e.candidates).toHaveLength(nc!);
    expect(e.seats).toBe(seats);
    for (const b of e.ballots) for (const g of b.ranking) for (const c of g) expect(c >= 0 && c < nc!).toBe(true);
    // Writing it out and reading it again gives the same election.
    expect(parseBlt(writeBlt(e))).toEqual(e);
  });

  test('ballot totals agree with the corpus manifest (empty ballots are not votes)', () => {
    const expected: Array<{ ballots_file: string; ballots: number }> = JSON.parse(
      fs.readFileSync(path.join(CORPUS, 'droop/expected.json'), 'utf8'),
    );
    for (const x of expected) {
      const e = parseBlt(fs.readFileSync(path.join(CORPUS, x.ballots_file), 'utf8'));
      const total = e.ballots.filter((b) => b.ranking.length > 0).reduce((t, b) => t + b.weight.num, 0n);
      expect([x.ballots_file, total]).toEqual([x.ballots_file, BigInt(x.ballots)]);
    }
  });

  test('what the small files hold', () => {
    const e42 = read('42.blt');
    expect(e42).toEqual({
      title: 'Pollux and Helen should tie',
      candidates: ['Castor', 'Pollux', 'Helen'],
      withdrawn: [],
      seats: 2,
      ballots: [
        { weight: rat(4), ranking: [[0], [1]] },
        { weight: rat(2), ranking: [[2]] },
      ],
    });
    expect(read('42t.blt')).toEqual({ ...e42, tieOrder: [2, 1, 0] }); // [tie 3 2 1 ]
    expect(read('42ubom.blt')).toEqual(read('42u.blt')); // a byte-order mark changes nothing
    expect(read('42u.blt').candidates).toEqual(['Cåstor', 'Pøllüx', 'Hélen']);
    expect(read('SCw.blt').withdrawn).toEqual([3]); // -4
    expect(read('SCwopt.blt')).toEqual(read('SCw.blt')); // [withdrawn 4]
    expect(read('cfer/dk1-3-2.blt').withdrawn).toEqual([0, 4]); // -1 -5
    const m = read('M135.blt'); // Wichmann's source and comment strings, then notes: not read
    expect(m.title).toBe('M135: Gen v1.1 1 3 45');
    expect(m.ballots.filter((b) => b.ranking.length === 0)).toHaveLength(2);
    expect(read('scotland/Canal-2007.blt').candidates).toContain('Kieran Wild'); // "Kieran  Wild "
  });

  test('equal preferences are read, and refused by the count', () => {
    const eq = read('meek/eq2.blt'); // [nick a b c d]; 5 a b=c d 0 ...
    expect(eq.ballots[0]).toEqual({ weight: rat(5), ranking: [[0], [1, 2], [3]] });
    expect(eq.ballots[2]).toEqual({
      weight: rat(3),
      ranking: [
        [2, 3],
        [1, 0],
      ],
    });
    for (const rules of ['scottish', 'meek', 'ers97'] as const) {
      expect(() => countStv(eq, rules, 's')).toThrow(
        /ballot 1: 2 candidates ranked equal; the .* rules need a strict order of preference/,
      );
    }
  });
});

describe('reading BLT', () => {
  const names = '"A"\n"B"\n"C"\n"Title"\n';

  test('decimal weights, comments, ballots across lines, options', () => {
    const e = parseBlt(
      `# a comment\n3 1 # seats\n[tie 2 3 1]\n-3\n1.5 1\n 2 0 # a ballot over two lines\n.25 3=2 0\n0\n"A" # the first\n"B"\n"C"\n"Title"\n`,
    );
    expect(e).toEqual({
      title: 'Title',
      candidates: ['A', 'B', 'C'],
      withdrawn: [2],
      seats: 1,
      tieOrder: [1, 2, 0],
      ballots: [
        { weight: rat(3, 2), ranking: [[0], [1]] },
        { weight: rat(1, 4), ranking: [[2, 1]] },
      ],
    });
  });

  test.each([
    ['x 2\n', 1, 'expected the number of candidates, found "x"'],
    ['3\n', 1, 'expected the number of seats, found the end of the file'],
    ['3 0\n', 1, 'there must be at least one seat'],
    [`3 1\n4 1 9 0\n0\n${names}`, 2, 'candidate 9 does not exist (there are 3 candidates)'],
    [`3 1\n-4\n0\n${names}`, 2, 'candidate 4 does not exist (there are 3 candidates)'],
    [`3 1\n-2 -2\n0\n${names}`, 2, 'candidate 2 is withdrawn twice'],
    [`3 1\n1 1 0\n-2\n0\n${names}`, 3, 'withdrawn candidates (negative numbers) must come before the first ballot'],
    [`3 1\n1 2 1 2 0\n0\n${names}`, 2, 'candidate 2 appears twice on one ballot'],
    [`3 1\n(b7) 1 2 0\n0\n${names}`, 2, 'ballot ids in parentheses are not supported'],
    [`3 1\n1 1 - 2 0\n0\n${names}`, 2, 'skipped preferences ("-") are not supported'],
    [`3 1\n1 1= 0\n0\n${names}`, 2, '"1=": "=" must join two candidates'],
    [`3 1\n1/2 1 0\n0\n${names}`, 2, 'expected a ballot weight, found "1/2"'],
    [`3 1\n0.0 1 0\n0\n${names}`, 2, 'a ballot weight of 0.0 is not allowed (a lone 0 ends the ballots)'],
    [
      `3 1\n[droop rule=meek]\n0\n${names}`,
      2,
      'option [droop] is not supported (supported: [nick], [tie], [withdrawn])',
    ],
    [`3 1\n[tie 1 2]\n0\n${names}`, 2, '[tie] must list each of the 3 candidates exactly once'],
    [`3 1\n[nick a b]\n0\n${names}`, 2, '[nick] must give one nickname for each of the 3 candidates (found 2)'],
    [`3 1\n[nick a b c]\n1 a d 0\n0\n${names}`, 3, '"d" is neither a candidate number nor a nickname'],
    [`3 1\n1 1 0\n[tie 1 2 3]\n0\n${names}`, 3, 'option [tie 1 2 3] must come before the first ballot'],
    [`3 1\n[tie 1 2 3\n`, 2, 'an option in [brackets] is not closed on its line'],
    ['3 1\n1 1 2 0\n', 2, 'the file ends inside the ballots: expected a 0 line to end them'],
    ['3 1\n1 1 2\n', 2, 'the file ends inside a ballot: expected 0 to end it'],
    ['3 1\n1 1 0\n0\n"A"\n"B"\n', 5, 'the file ends before the name of candidate 3 (there are 3 candidates)'],
    ['3 1\n1 1 0\n0\n"A"\nB\n"C"\n"T"\n', 5, 'expected the name of candidate 2 in double quotes, found "B"'],
    ['3 1\n1 1 0\n0\n"A"\n"B\n"C"\n"T"\n', 5, 'a quoted string is not closed on its line'],
    ['3 1\n1 1 0\n0\n"A"\n"B"\n"C"\n', 6, 'the file ends before the election title'],
  ])('%j fails at line %i: %s', (text, line, reason) => {
    let error: unknown;
    try {
      parseBlt(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BltSyntaxError);
    expect(error).toMatchObject({ line, reason, message: `line ${line}: ${reason}` });
  });
});

describe('writing BLT', () => {
  test('refuses what BLT cannot hold', () => {
    const base: Election<RankedBallot> = { title: 'T', candidates: ['A', 'B'], withdrawn: [], seats: 1, ballots: [] };
    expect(() => writeBlt({ ...base, ballots: [{ weight: rat(1, 3), ranking: [[0]] }] })).toThrow(
      /no exact decimal form/,
    );
    expect(() => writeBlt({ ...base, ballots: [{ weight: rat(0), ranking: [[0]] }] })).toThrow(/must be positive/);
    expect(() => writeBlt({ ...base, candidates: ['A "the best"', 'B'] })).toThrow(/double quote/);
    expect(() => writeBlt({ ...base, ballots: [{ weight: rat(1), ranking: [[2]] }] })).toThrow(
      /candidate 2 does not exist/,
    );
  });

  test('writes weights as exact decimals', () => {
    const e: Election<RankedBallot> = {
      title: 'T',
      candidates: ['A', 'B'],
      withdrawn: [1],
      seats: 1,
      ballots: [
        { weight: rat(1, 8), ranking: [[0], [1]] },
        { weight: rat(7), ranking: [[1, 0]] },
        { weight: rat(3, 2), ranking: [] },
      ],
    };
    expect(writeBlt(e)).toBe('2 1\n-2\n0.125 1 2 0\n7 2=1 0\n1.5 0\n0\n"A"\n"B"\n"T"\n');
  });

  test('round trip: writeBlt then parseBlt gives the same election', () => {
    const word = fc.constantFrom('Ann', 'Bea', 'Cy', 'Dé', "O'Neil", 'Ng', '#7', 'x=y', '[z]', 'Zoë-Jo', '1');
    const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '));
    const electionArb = fc.uniqueArray(name, { minLength: 1, maxLength: 7 }).chain((candidates) => {
      const n = candidates.length;
      const indices = Array.from({ length: n }, (_, i) => i);
      const ranking = fc.shuffledSubarray(indices).chain((cs) =>
        fc.array(fc.boolean(), { minLength: cs.length, maxLength: cs.length }).map((joins) => {
          const groups: number[][] = [];
          cs.forEach((c, i) => (i > 0 && joins[i] ? groups[groups.length - 1]!.push(c) : groups.push([c])));
          return groups;
        }),
      );
      const weight = fc
        .tuple(fc.integer({ min: 1, max: 100000 }), fc.integer({ min: 0, max: 4 }))
        .map(([k, p]) => rat(k, 10 ** p));
      return fc.record(
        {
          title: name,
          candidates: fc.constant(candidates),
          withdrawn: fc.shuffledSubarray(indices),
          seats: fc.integer({ min: 1, max: 9 }),
          ballots: fc.array(fc.record({ weight, ranking }), { maxLength: 12 }),
          tieOrder: fc.shuffledSubarray(indices, { minLength: n, maxLength: n }),
        },
        { requiredKeys: ['title', 'candidates', 'withdrawn', 'seats', 'ballots'] },
      );
    });
    fc.assert(
      fc.property(electionArb, (e) => {
        expect(parseBlt(writeBlt(e))).toEqual(e);
      }),
      { numRuns: 200 },
    );
  });
});

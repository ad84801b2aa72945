import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { omov } from '../support/cli';

let dir: string;
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-tally-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

// Wikipedia's Tennessee example (see methods.test.ts): IRV elects Knoxville, Condorcet methods Nashville.
const TENNESSEE_CSV = [
  'Memphis,Nashville,Chattanooga,Knoxville,weight',
  '1,2,3,4,42',
  '4,1,2,3,26',
  '4,3,1,2,15',
  '4,3,2,1,17',
  '',
].join('\n');

describe('omov tally', () => {
  test('IRV on a CSV file, as JSON: elected, rounds, ties, byte-identical on repeat', async () => {
    const f = file('tennessee.csv', TENNESSEE_CSV);
    const a = await omov('tally', f, '--method', 'irv', '--format', 'json');
    expect(a.code).toBe(0);
    const r = JSON.parse(a.out) as Record<string, unknown>;
    expect(r).toMatchObject({ method: 'irv', seats: 1, elected: ['Knoxville'], ties: [], title: 'tennessee' });
    expect((r.rounds as unknown[]).length).toBe(3);
    const b = await omov('tally', f, '--method', 'irv', '--format', 'json');
    expect(b.out).toBe(a.out);
  });

  test('the text sheet has candidates as rows and rounds as columns', async () => {
    const f = file('tennessee2.csv', TENNESSEE_CSV);
    const { code, out } = await omov('tally', f, '--method', 'irv');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines.find((l) => l.startsWith('Knoxville'))).toMatch(/^Knoxville\s+17\s+32\s+58\s+Elected \(round 3\)$/);
    expect(lines.find((l) => l.startsWith('Chattanooga'))).toMatch(/^Chattanooga\s+15\s+-\s+-\s+Excluded \(round 2\)$/);
    expect(lines.find((l) => l.startsWith('Exhausted'))).toMatch(/^Exhausted\s+0\s+0\s+0$/);
    expect(out).toMatch(/Papers of Chattanooga: Knoxville \+15; exhausted 0\./);
    expect(out).toMatch(/\nElected: Knoxville\n$/);
  });

  test('Schulze on a JSON file reports the pairwise matrix', async () => {
    const f = file(
      't.json',
      JSON.stringify(
        {
          title: 'Capital',
          candidates: ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'],
          ballots: [
            { weight: '42', ranking: ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'] },
            { weight: '26', ranking: ['Nashville', 'Chattanooga', 'Knoxville', 'Memphis'] },
            { weight: '15', ranking: ['Chattanooga', 'Knoxville', 'Nashville', 'Memphis'] },
            { weight: '17', ranking: ['Knoxville', 'Chattanooga', 'Nashville', 'Memphis'] },
          ],
        },
        null,
        1,
      ),
    );
    const { code, out } = await omov('tally', f, '--method', 'schulze');
    expect(code).toBe(0);
    expect(out).toMatch(/^Capital\n/);
    expect(out).toMatch(/Condorcet winner: Nashville/);
    // Nashville over Memphis: 26 + 15 + 17 = 58.
    expect(out).toMatch(/\n {2}Nashville\s+58\s+-\s+68\s+68\n/);
  });

  test('a BLT file counted by plurality and IRV', async () => {
    const f = file('small.blt', '3 1\n4 1 0\n3 2 1 0\n2 3 2 0\n0\n"A"\n"B"\n"C"\n"Small"\n');
    // First preferences A 4, B 3, C 2 → plurality A. IRV: C out → B 5 of 9: B.
    expect(JSON.parse((await omov('tally', f, '--method', 'plurality', '--format', 'json')).out).elected).toEqual([
      'A',
    ]);
    expect(JSON.parse((await omov('tally', f, '--method', 'irv', '--format', 'json')).out).elected).toEqual(['B']);
  });

  test('STV from a BLT file: --seats overrides the file, and the sheet shows the quota', async () => {
    const f = file('stv.blt', '3 1\n4 1 0\n3 2 1 0\n2 3 2 0\n0\n"A"\n"B"\n"C"\n"Small"\n');
    // 9 papers, 2 seats: quota 4. A has 4 (elected, no surplus); C (2) out → B 5.
    const r = await omov('tally', f, '--method', 'stv', '--rules', 'scottish', '--seats', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Small\n/);
    expect(r.out).toMatch(/Single transferable vote \(scottish rules\)/);
    expect(r.out).toMatch(/\nQuota\s+4\.00000/);
    expect(r.out).toMatch(/\nElected: A, B\n$/);
  });

  test('yes/no with a two-thirds threshold and a quorum', async () => {
    const f = file('motion.csv', `Yes,No,weight\n1,,66\n,1,34\n,,50\n`);
    const fail = await omov('tally', f, '--method', 'yesno', '--threshold', '2/3', '--format', 'json');
    expect(JSON.parse(fail.out).elected).toEqual(['No']);
    const noQuorum = await omov(
      'tally',
      f,
      '--method',
      'yesno',
      '--quorum',
      '1/2',
      '--electorate',
      '400',
      '--format',
      'json',
    );
    // Turnout 150 < 200.
    expect(JSON.parse(noQuorum.out)).toMatchObject({ elected: [], summary: { quorumMet: false, turnout: '150' } });
  });

  test('score, approval and Borda flags reach their methods', async () => {
    const s = file('scores.csv', 'A,B\n5,3\n0,4\n9,0\n');
    // max 5: the third paper is invalid; A 5, B 7.
    const r = JSON.parse((await omov('tally', s, '--method', 'score', '--max-score', '5', '--format', 'json')).out);
    expect(r).toMatchObject({ elected: ['B'], summary: { invalid: '1' } });
    const a = file('approve.csv', 'A,B,C\n1,1,\n1,1,1\n,,1\n');
    expect(
      JSON.parse((await omov('tally', a, '--method', 'approval', '--max-marks', '2', '--format', 'json')).out).rounds[0]
        .votes,
    ).toEqual({ A: '1', B: '1', C: '1' });
    const b = file('borda.csv', 'A,B,C\n1,,\n');
    expect(
      JSON.parse((await omov('tally', b, '--method', 'borda', '--borda', 'dowdall', '--format', 'json')).out).rounds[0]
        .votes,
    ).toEqual({ A: '1', B: '5/12', C: '5/12' });
  });

  test('malformed files exit 2 with the line number', async () => {
    const csv = file('bad.csv', 'A,B\n1,2\n2,1\n1,zz\n');
    const r = await omov('tally', csv, '--method', 'irv');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('bad.csv: line 4: rank "zz" for "B"');
    const json = file('bad.json', '{\n "candidates": ["A"],\n "ballots": [\n  {"ranking": ["Q"]}\n ]\n}\n');
    const j = await omov('tally', json, '--method', 'plurality');
    expect(j.code).toBe(2);
    expect(j.err).toContain('bad.json: line 4: unknown candidate "Q"');
    const blt = file('bad.blt', '2 1\n1 1 0\n1 3 0\n0\n"A"\n"B"\n"T"\n');
    const k = await omov('tally', blt, '--method', 'irv');
    expect(k.code).toBe(2);
    expect(k.err).toMatch(/bad\.blt: line 3/);
  });

  test('STV with balance rules (docs/elections.md, first worked example): the rule gives the third seat to Dora', async () => {
    const f = file(
      'committee.csv',
      ['Adam,Bob,Carl,Dora,Eve,weight', '1,,2,,,30', ',1,,,,26', ',,1,,,22', ',,,1,2,12', ',,,2,1,10', ''].join('\n'),
    );
    for (const rules of ['scottish', 'meek', 'ers97']) {
      const plain = await omov('tally', f, '--method', 'stv', '--seats', '3', '--rules', rules, '--format', 'json');
      expect(JSON.parse(plain.out).elected).toEqual(['Adam', 'Bob', 'Carl']);
      const r = await omov(
        'tally',
        f,
        ...['--method', 'stv', '--seats', '3', '--rules', rules, '--format', 'json'],
        ...['--balance', 'women; at least 1; Dora, Eve | men; at most 3; Adam, Bob, Carl'],
      );
      expect(r.code).toBe(0);
      const result = JSON.parse(r.out);
      expect(result.elected).toEqual(['Adam', 'Bob', 'Dora']);
      expect(result.summary).toMatchObject({ balanceChanged: true, electedWithoutBalance: 'Adam, Bob, Carl' });
    }
    const bad: Array<[string[], RegExp]> = [
      [['--rules', 'scottish', '--balance', 'women; one; Dora'], /--balance: rule 1: write a group, its seats/],
      [['--rules', 'scottish', '--balance', 'women; at least 1; Dora | x'], /--balance: rule 2: write a group/],
      [['--rules', 'scottish', '--balance', 'women; at least 1; Zed'], /names Zed, who is not a candidate/],
      [
        ['--rules', 'ers97', '--balance', 'women; at most 0; Dora, Eve | men; at most 1; Adam, Bob, Carl'],
        /the balance rules cannot all be met by the candidates standing/,
      ],
    ];
    for (const [flags, message] of bad) {
      const r = await omov('tally', f, '--method', 'stv', '--seats', '3', ...flags);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect((await omov('tally', f, '--method', 'irv', '--balance', 'w; at least 1; Dora')).err).toMatch(
      /--balance applies to --method stv only/,
    );
  });

  test('bad flags and impossible counts exit 2 with a reason', async () => {
    const f = file('ok.csv', 'A,B\n1,2\n');
    const cases: Array<[string[], RegExp]> = [
      [['--method', 'stv'], /needs --rules/],
      [['--method', 'irv', '--rules', 'meek'], /--rules applies to --method stv only/],
      [['--method', 'irv', '--seats', '2'], /irv elects one candidate/],
      [['--method', 'plurality', '--seats', 'x'], /--seats must be a whole number/],
      [['--method', 'yesno', '--quorum', '1/4'], /--quorum needs --electorate/],
      [['--method', 'yesno', '--threshold', 'most'], /--threshold must be a number/],
    ];
    for (const [flags, message] of cases) {
      const r = await omov('tally', f, ...flags);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect((await omov('tally', f, '--method', 'nonsense')).code).toBe(2);
    expect((await omov('tally', path.join(dir, 'missing.csv'), '--method', 'irv')).err).toMatch(/cannot read/);
    expect((await omov('tally', file('x.txt', ''), '--method', 'irv')).err).toMatch(/unknown ballot file type/);
    expect(
      (await omov('tally', file('s.json', '{"candidates":["A"],"ballots":[{"scores":{"A":1}}]}'), '--method', 'irv'))
        .err,
    ).toMatch(/holds score ballots, but --method irv counts ranked ballots/);
  });
});

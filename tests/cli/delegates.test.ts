import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { omov } from '../support/cli';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-delegates-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('omov apportion', () => {
  test("D'Hondt, JSON: A4 B3 C1 D0", async () => {
    const f = file('parties.csv', 'name,population\nA,100000\nB,80000\nC,30000\nD,20000\n');
    const r = await omov('apportion', f, '--seats', '8', '--method', 'dhondt', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { method: string; seats: Record<string, number>; ties: unknown[] };
    expect(Object.keys(j).slice(0, 3)).toEqual(['method', 'seats', 'ties']);
    expect(j).toMatchObject({ method: 'dhondt', seats: { A: 4, B: 3, C: 1, D: 0 }, ties: [] });
  });

  test('a tie is listed with the lot that broke it, and text output reads as a table', async () => {
    const f = file('tie.csv', 'name,population\nA,100000\nB,80000\nC,30000\nD,20000\n');
    const j = JSON.parse(
      (
        await omov(
          'apportion',
          f,
          '--seats',
          '8',
          '--method',
          'modified-sainte-lague',
          '--seed',
          'x',
          '--format',
          'json',
        )
      ).out,
    ) as { ties: Array<{ between: string[] }> };
    expect(j.ties[0]!.between).toEqual(['A', 'D']);
    const t = await omov('apportion', f, '--seats', '8', '--method', 'hamilton');
    expect(t.out).toMatch(/Hamilton/);
    expect(t.out).toMatch(/^B\s+3$/m);
    expect(t.out).toMatch(/^Total\s+8$/m);
  });

  test('bounds per run and per branch; bands', async () => {
    const f = file('bounded.csv', 'name,population,min,max\nA,100000,,2\nB,80000,,\nC,30000,,\nD,20000,,\n');
    const j = JSON.parse(
      (await omov('apportion', f, '--seats', '8', '--method', 'dhondt', '--format', 'json')).out,
    ) as { seats: Record<string, number> };
    expect(j.seats.A).toBe(2);
    const b = JSON.parse(
      (await omov('apportion', f, '--method', 'bands', '--bands', '25000:1,50000:2,+50000:1', '--format', 'json')).out,
    ) as { seats: Record<string, number> };
    // A 100 000: 2 + 1 = 3, held at its max 2; B 80 000: 2 + 0 = 2; C 30 000: 2; D 20 000: 1.
    expect(b.seats).toEqual({ A: 2, B: 2, C: 2, D: 1 });
  });

  test('malformed input exits 2 and names the line and field', async () => {
    const f = file('bad.csv', 'name,population\nA,100\nB,lots\n');
    const r = await omov('apportion', f, '--seats', '3', '--method', 'hamilton');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 3: field "population": population "lots" is not a number/);
    const g = file('nohead.csv', 'branch,size\nA,1\n');
    expect((await omov('apportion', g, '--seats', '3', '--method', 'hamilton')).err).toMatch(
      /line 1: the header needs "name" and "population"/,
    );
    const h = file('short.csv', 'name,population\nA\n');
    expect((await omov('apportion', h, '--seats', '3', '--method', 'hamilton')).err).toMatch(/line 2: 1 fields/);
  });

  test('infeasible bounds and unknown methods exit 2', async () => {
    const f = file('ok.csv', 'name,population\nA,1\nB,2\n');
    const r = await omov('apportion', f, '--seats', '3', '--method', 'hamilton', '--min', '2');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/infeasible: the minimums add up to 4 delegates, more than the 3/);
    expect((await omov('apportion', f, '--seats', '3', '--method', 'fibonacci')).code).toBe(2);
    expect((await omov('apportion', f, '--method', 'hamilton')).err).toMatch(/needs --seats/);
  });
});

describe('omov power', () => {
  test('EEC 1958 [12; 4,4,4,2,2,1], JSON in input order, decimals and exact fractions', async () => {
    const r = await omov('power', '--quota', '12', '4', '4', '4', '2', '2', '1', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      banzhaf: number[];
      shapleyShubik: number[];
      exact: { banzhaf: string[]; shapleyShubik: string[] };
    };
    expect(j.banzhaf.map((x) => Number(x.toFixed(6)))).toEqual([0.238095, 0.238095, 0.238095, 0.142857, 0.142857, 0]);
    expect(j.shapleyShubik.map((x) => Number(x.toFixed(6)))).toEqual([0.233333, 0.233333, 0.233333, 0.15, 0.15, 0]);
    expect(j.exact.shapleyShubik).toEqual(['7/30', '7/30', '7/30', '3/20', '3/20', '0']);
  });

  test('text output, and Monte Carlo with standard errors on request', async () => {
    const t = await omov('power', '--quota', '51', '49', '48', '3', '--names', 'Red,Blue,Green');
    expect(t.out).toMatch(/Green\s+3\s+0\.030000\s+0\.333333/);
    const m = JSON.parse(
      (
        await omov(
          'power',
          '--quota',
          '51',
          '49',
          '48',
          '3',
          '--mode',
          'monte-carlo',
          '--samples',
          '4000',
          '--format',
          'json',
        )
      ).out,
    ) as {
      method: { shapleyShubik: string };
      standardError: { shapleyShubik: number[] };
      shapleyShubik: number[];
    };
    expect(m.method.shapleyShubik).toBe('monte-carlo');
    m.shapleyShubik.forEach((v, i) =>
      expect(Math.abs(v - 1 / 3)).toBeLessThan(4.5 * m.standardError.shapleyShubik[i]!),
    );
  });

  test('bad games exit 2', async () => {
    expect((await omov('power', '--quota', '10', '4', '4')).code).toBe(2);
    expect((await omov('power', '--quota', 'half', '4', '4')).err).toMatch(/--quota must be a whole number/);
    expect((await omov('power', '--quota', '3', '4', 'x')).err).toMatch(/weight 2 must be a whole number/);
  });
});

describe('omov conference', () => {
  const threeBranches = 'branch,members,A,B\nNorth,100,60,40\nSouth,100,55,45\nEast,100,10,90\n';

  test('totals, bloc, JSON: the members choose B, the conference A', async () => {
    const f = file('leader.csv', threeBranches);
    const r = await omov(
      'conference',
      f,
      '--rule',
      'bloc',
      '--seats',
      '30',
      '--apportion',
      'hamilton',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      omov: { winner: string; totals: Record<string, number> };
      conference: { winner: string; delegates: Record<string, number> };
      agree: boolean;
      flip: { omov: { members: number }; conference: { members: number } };
      power: Record<string, { banzhaf: number; shapleyShubik: number }>;
      paradoxes: Array<{ name: string }>;
      settings: { basis: string };
    };
    expect(j.omov).toMatchObject({ winner: 'B', totals: { A: 125, B: 175 } });
    expect(j.conference).toMatchObject({ winner: 'A', delegates: { A: 20, B: 10 } });
    expect(j.agree).toBe(false);
    expect(j.flip.omov.members).toBe(26);
    expect(j.flip.conference.members).toBe(6);
    expect(Object.keys(j.power)).toEqual(['North', 'South', 'East']);
    expect(j.power.North!.shapleyShubik).toBeCloseTo(1 / 3, 9);
    expect(j.paradoxes.map((p) => p.name)).toEqual(['referendum']);
    expect(j.settings.basis).toBe('members');
  });

  test('text output is a side-by-side table', async () => {
    const f = file('leader2.csv', threeBranches);
    const r = await omov('conference', f, '--rule', 'bloc', '--seats', '30');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Members' vote\s+share\s+Conference\s+share/);
    expect(r.out).toMatch(/^A\s+125\s+41\.67%\s+20\s+66\.67%$/m);
    expect(r.out).toMatch(/Elected\s+B\s+A/);
    expect(r.out).toMatch(/Agree: NO/);
    expect(r.out).toMatch(/Referendum paradox/);
    expect(r.out).toMatch(/^South\s+100\s+100\s+10\s/m);
  });

  test('delegates column used as given; weighted rule', async () => {
    const f = file('fixed.csv', 'branch,members,delegates,A,B\nBig,1000,5,600,400\nSmall,100,4,10,90\n');
    const j = JSON.parse((await omov('conference', f, '--rule', 'weighted', '--format', 'json')).out) as {
      conference: { winner: string; delegates: Record<string, number> };
      flip: { conference: { members: number } };
    };
    expect(j.conference.delegates).toEqual({ A: 3.4, B: 5.6 });
    expect(j.conference.winner).toBe('B');
    expect(j.flip.conference.members).toBe(28);
  });

  test('ballots with a branch column, ranked (IRV), delegates from --branches', async () => {
    const ballots = file(
      'chair.csv',
      ['branch,A,B,C,weight', 'X,1,2,,40', 'X,2,1,,35', 'X,,2,1,25', 'Y,2,,1,20'].join('\n'),
    );
    const branches = file('branches.csv', 'branch,members,delegates\nX,100,1\nY,20,1\n');
    const r = await omov(
      'conference',
      ballots,
      '--rule',
      'weighted',
      '--method',
      'irv',
      '--branches',
      branches,
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { omov: { winner: string }; conference: { winner: string }; agree: boolean };
    expect(j.omov.winner).toBe('A');
    expect(j.conference.winner).toBe('C');
    expect(j.agree).toBe(false);
  });

  test('malformed input exits 2 and names the line and field', async () => {
    const f = file('bad-totals.csv', 'branch,members,A,B\nNorth,100,60,40\nSouth,100,fifty,45\n');
    const r = await omov('conference', f, '--rule', 'bloc', '--seats', '10');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 3: field "A": votes "fifty" is not a number/);
    const g = file('no-branch.csv', 'name,A,B\nx,1,2\n');
    expect((await omov('conference', g, '--rule', 'bloc', '--seats', '10')).err).toMatch(
      /line 1: the header needs a "branch" column/,
    );
    const h = file('bad-rank.csv', 'branch,A,B,weight\nX,1,first,\n');
    expect((await omov('conference', h, '--rule', 'weighted', '--seats', '2', '--method', 'irv')).err).toMatch(
      /line 2: field "B": rank "first"/,
    );
    const nodel = file('nodel.csv', 'branch,A,B\nX,1,2\nY,2,1\n');
    expect((await omov('conference', nodel, '--rule', 'bloc')).err).toMatch(/no delegates/);
    expect((await omov('conference', nodel, '--rule', 'bloc', '--seats', '10', '--basis', 'members')).err).toMatch(
      /need its members/,
    );
  });
});

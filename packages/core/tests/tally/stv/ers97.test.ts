/**
 * ERS97 (Electoral Reform Society, "How to conduct an election by the Single Transferable
 * Vote", 3rd edition, 1997, section 5). No reference count exists in the corpus, so each
 * case is worked by hand in the comments from the rules' paragraphs: 2 decimals, quota
 * rounded up to 0.01 (5.1.6), transfer values truncated (5.3.7).
 */
import { countStv } from '../../../src/tally/stv';
import type { TallyResult } from '../../../src/tally/types';
import { election, units } from './helpers';

const figures = (r: TallyResult) =>
  r.rounds.map((x) => ({ votes: x.votes, exhausted: x.exhausted, loss: x.loss, quota: x.quota }));
const decisions = (r: TallyResult) => r.rounds.map((x) => [x.elected, x.excluded]);

test('a later surplus comes from the last batch received only (5.3.2); election by the total active vote (5.4.9)', () => {
  // 80 papers, 3 seats: quota 80 / 4 = 20.00 exactly.   40 A B, 11 B C, 12 C, 10 D, 7 E
  // Stage 1: A 40 elected (surplus 20); B 11, C 12, D 10, E 7.
  // Stage 2: deferral? lowest E 7 + 20 > D 10; E + D 17 + 20 > B 11: no (5.2.2). A's surplus
  //   from all its papers (5.3.1): 40 transferable papers worth 40 > 20, so 20 / 40 = 0.50
  //   each: B 11 + 20 = 31, elected.
  // Stage 3: B's surplus 11 (E 7 + 11 > D 10, etc.: not deferred) comes from the last batch
  //   B received, the 40 A B papers at 0.50 (5.3.2), none of which has a further preference:
  //   nothing to transfer, 11.00 non-transferable. (B's own 11 B C papers are not examined.)
  // Stage 4: E (7) excluded, its papers non-transferable (18.00 in all). Total active vote
  //   C 12 + D 10 = 22; one place: 12 >= 22 / 2, so C is deemed elected; D is excluded (5.5.2).
  const r = countStv(
    election(['A', 'B', 'C', 'D', 'E'], 3, [
      [40, 'A B'],
      [11, 'B C'],
      [12, 'C'],
      [10, 'D'],
      [7, 'E'],
    ]),
    'ers97',
    't',
  );
  expect(r.elected).toEqual(['A', 'B', 'C']);
  expect(decisions(r)).toEqual([
    [['A'], []],
    [['B'], []],
    [[], []],
    [['C'], ['E', 'D']],
  ]);
  const v = (a: string, b: string, c: string, d: string, e: string) => ({ A: a, B: b, C: c, D: d, E: e });
  expect(figures(r)).toEqual([
    { votes: v('40.00', '11.00', '12.00', '10.00', '7.00'), exhausted: '0.00', loss: '0.00', quota: '20.00' },
    { votes: v('20.00', '31.00', '12.00', '10.00', '7.00'), exhausted: '0.00', loss: '0.00', quota: '20.00' },
    { votes: v('20.00', '20.00', '12.00', '10.00', '7.00'), exhausted: '11.00', loss: '0.00', quota: '20.00' },
    { votes: v('20.00', '20.00', '12.00', '10.00', '0.00'), exhausted: '18.00', loss: '0.00', quota: '20.00' },
  ]);
  expect(r.rounds[1]!.transfers).toEqual([
    { from: 'A', kind: 'surplus', value: '0.50', to: { B: '20.00' }, exhausted: '0.00' },
  ]);
  expect(r.rounds[3]!.note).toMatch(/total active vote/);
});

test('quota rounded up to 0.01; transfer value truncated; the non-transferable difference (5.1.6, 5.3.7)', () => {
  // 31 papers, 2 seats: 31 / 3 = 10.333..., so the quota is 10.33 + 0.01 = 10.34.
  //   17 A B, 8 B, 6 C.  A 17: surplus 6.66 (C 6 + 6.66 > B 8: not deferred).
  // Stage 2: 6.66 / 17 = 0.3917... -> 0.39; B 8 + 17 x 0.39 = 14.63, elected;
  //   non-transferable difference 6.66 - 6.63 = 0.03.
  const r = countStv(
    election(['A', 'B', 'C'], 2, [
      [17, 'A B'],
      [8, 'B'],
      [6, 'C'],
    ]),
    'ers97',
    't',
  );
  expect(r.elected).toEqual(['A', 'B']);
  expect(figures(r)[1]).toEqual({
    votes: { A: '10.34', B: '14.63', C: '6.00' },
    exhausted: '0.00',
    loss: '0.03',
    quota: '10.34',
  });
  expect(r.rounds[1]!.transfers![0]!.value).toBe('0.39');
});

test('a surplus deferred while candidates are excluded together (5.2.2, 5.2.5)', () => {
  // 46 papers, 2 seats: 46 / 3 = 15.333... -> quota 15.34.
  //   21 A B, 10 B, 12 C, 1 D C, 2 E C.   Stage 1: A 21 elected (surplus 5.66).
  // Stage 2: lowest D 1, E 2: D + E = 3, + 5.66 = 8.66 <= B 10, the next above: the surplus
  //   is deferred (5.2.2(b)), and D and E are excluded together (D + E + C 12 = 15 + 5.66
  //   > B... C is not the next above them: B 10 is; B + D + E 13 + 5.66 > C 12, so no more).
  //   Their 3 papers go to C: 15.00. Total active vote B 10 + C 15 + 5.66 = 30.66; C 15 < 15.33.
  // Stage 3: B 10 + 5.66 = 15.66 > C 15: no longer deferred. A's 21 papers at
  //   5.66 / 21 = 0.2695... -> 0.26: B 10 + 5.46 = 15.46 >= 15.34, elected; loss 0.20.
  const r = countStv(
    election(['A', 'B', 'C', 'D', 'E'], 2, [
      [21, 'A B'],
      [10, 'B'],
      [12, 'C'],
      [1, 'D C'],
      [2, 'E C'],
    ]),
    'ers97',
    't',
  );
  expect(r.elected).toEqual(['A', 'B']);
  expect(decisions(r)).toEqual([
    [['A'], []],
    [[], ['D', 'E']],
    [['B'], ['C']],
  ]);
  expect(r.rounds[1]!.votes).toEqual({ A: '21.00', B: '10.00', C: '15.00', D: '0.00', E: '0.00' });
  expect(r.rounds[1]!.note).toMatch(/deferred/);
  expect(figures(r)[2]).toEqual({
    votes: { A: '15.34', B: '15.46', C: '15.00', D: '0.00', E: '0.00' },
    exhausted: '0.00',
    loss: '0.20',
    quota: '15.34',
  });
});

test('the quota is recalculated while no one is elected (5.4.8)', () => {
  // 26 papers, 2 seats: quota 26 / 3 = 8.666... -> 8.67.   8 A, 7 B, 6 C, 3 D, 2 E A
  // Stage 1: no one has 8.67, nor the total active vote / 3 (26 / 3).
  // Stage 2: E 2 + D 3 = 5 <= C 6, the next above (E + D + C 11 > B 7): E and D excluded
  //   together. Their one batch (value 1): E's 2 papers to A (10), D's 3 non-transferable.
  //   No one elected yet: quota (26 - 3) / 3 = 7.666... -> 7.67. A 10 is elected (surplus
  //   2.33); B 7: total active vote 7 + 6 + 2.33 = 15.33, and 7 < 15.33 / 2.
  // Stage 3: C 6 + 2.33 > B 7: not deferred. A's surplus comes from its last batch, E's 2
  //   papers, which have no further preference: 2.33 non-transferable (5.33 in all). Now the
  //   total active vote is B 7 + C 6 = 13, and B 7 >= 13 / 2: B is elected (5.3.13(b)).
  const r = countStv(
    election(['A', 'B', 'C', 'D', 'E'], 2, [
      [8, 'A'],
      [7, 'B'],
      [6, 'C'],
      [3, 'D'],
      [2, 'E A'],
    ]),
    'ers97',
    't',
  );
  expect(r.elected).toEqual(['A', 'B']);
  expect(decisions(r)).toEqual([
    [[], []],
    [['A'], ['E', 'D']],
    [['B'], ['C']],
  ]);
  expect(r.rounds.map((x) => x.quota)).toEqual(['8.67', '7.67', '7.67']);
  expect(r.rounds.map((x) => x.exhausted)).toEqual(['0.00', '3.00', '5.33']);
  expect(r.rounds[2]!.votes).toEqual({ A: '7.67', B: '7.00', C: '6.00', D: '0.00', E: '0.00' });
  expect(r.rounds[1]!.note).toMatch(/5\.4\.8/);
  expect(r.summary).toMatchObject({ quota: '7.67' });
});

test("an excluded candidate's papers pass in batches, highest value first (5.4)", () => {
  // 51 papers, 2 seats: quota 51 / 3 = 17.00.   6 A C B, 24 A B, 5 B, 4 C D, 12 D
  // Stage 1: A 30 elected (surplus 13); B 5, C 4, D 12 (C 4 + 13 > B 5; C + B 9 + 13 > D 12).
  // Stage 2: A's 30 papers at 13 / 30 = 0.4333... -> 0.43: C + 6 x 0.43 = 6.58,
  //   B + 24 x 0.43 = 15.32; loss 13 - 12.90 = 0.10.
  // Stage 3: C (6.58) excluded. First its batch of value 1.00, 4 C D papers: D 16.00 (and
  //   16 < (15.32 + 16 + 2.58 still to come) / 2 = 16.95); then its batch of value 0.43,
  //   6 A C B papers: B 15.32 + 2.58 = 17.90, elected; D is excluded (5.5.2).
  const r = countStv(
    election(['A', 'B', 'C', 'D'], 2, [
      [6, 'A C B'],
      [24, 'A B'],
      [5, 'B'],
      [4, 'C D'],
      [12, 'D'],
    ]),
    'ers97',
    't',
  );
  expect(r.elected).toEqual(['A', 'B']);
  expect(r.rounds[1]!.votes).toEqual({ A: '17.00', B: '15.32', C: '6.58', D: '12.00' });
  expect(r.rounds[1]!.loss).toBe('0.10');
  expect(r.rounds[2]!.transfers).toEqual([
    { from: 'C', kind: 'exclusion', value: '1.00', to: { D: '4.00' }, exhausted: '0.00' },
    { from: 'C', kind: 'exclusion', value: '0.43', to: { B: '2.58' }, exhausted: '0.00' },
  ]);
  expect(r.rounds[2]!.votes).toEqual({ A: '17.00', B: '17.90', C: '0.00', D: '16.00' });
  expect(decisions(r)[2]).toEqual([['B'], ['C', 'D']]);
});

test('an exclusion tie looks forward from the first stage (5.2.5), unlike the Scottish look back', () => {
  // 51 papers, 2 seats, quota 17.00.   20 A B, 3 B, 4 C, 2 D C, 1 D, 11 F, 10 G
  // Stage 1: A 20 elected (surplus 3); B 3, C 4, D 3, F 11, G 10. Not deferred: B 3 + 3 > D 3,
  //   B + D 6 + 3 > C 4, B + D + C 10 + 3 > G 10, ... + G 20 + 3 > F 11.
  // Stage 2: A's 20 papers at 3 / 20 = 0.15 to B: 6.00.
  // Stage 3: D (3) excluded (D + C 7 > B 6): 2 papers to C (6.00), 1 non-transferable.
  // Stage 4: B 6 = C 6. At the first stage B 3 < C 4: B is excluded. (The most recent
  //   difference, stage 2, had B 6 > C 4.) B's papers, 3 at 1.00 and 20 at 0.15, go nowhere.
  // Stage 5: C excluded, its papers go nowhere: total active vote F 11 + G 10 = 21,
  //   F 11 >= 21 / 2: F is elected.
  const r = countStv(
    election(['A', 'B', 'C', 'D', 'F', 'G'], 2, [
      [20, 'A B'],
      [3, 'B'],
      [4, 'C'],
      [2, 'D C'],
      [1, 'D'],
      [11, 'F'],
      [10, 'G'],
    ]),
    'ers97',
    't',
  );
  expect(r.ties).toEqual([expect.objectContaining({ round: 4, between: ['B', 'C'], brokenBy: 'rules', chosen: 'B' })]);
  expect(r.ties[0]!.note).toMatch(/the first stage/);
  expect(decisions(r).map(([, x]) => x)).toEqual([[], [], ['D'], ['B'], ['C', 'G']]);
  expect(r.rounds[3]!.exhausted).toBe('7.00');
  expect(r.elected).toEqual(['A', 'F']);
});

test('level at every point: exclusion by lot, reproducible from the seed', () => {
  // 11 papers, 1 seat, quota 5.50: A 5, B 3, C 3. B + C 6 > A 5, so one of B and C goes,
  // by lot (they are level at every point). Its 3 papers are non-transferable; no one is
  // elected yet, so the quota becomes (11 - 3) / 2 = 4.00 (5.4.8) and A is elected.
  const e = election(['A', 'B', 'C'], 1, [
    [5, 'A'],
    [3, 'B'],
    [3, 'C'],
  ]);
  const seen = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const r = countStv(e, 'ers97', `lot-${i}`);
    expect(countStv(e, 'ers97', `lot-${i}`)).toEqual(r);
    expect(r.ties).toEqual([expect.objectContaining({ round: 2, between: ['B', 'C'], brokenBy: 'lot' })]);
    expect(r.rounds[1]!.excluded[0]).toBe(r.ties[0]!.chosen);
    expect(r.elected).toEqual(['A']);
    expect(r.rounds[1]!.quota).toBe('4.00');
    seen.add(r.ties[0]!.chosen);
  }
  expect(seen).toEqual(new Set(['B', 'C']));
});

test('candidates level for the last place at every point are not deemed elected at that stage (5.6.2)', () => {
  // 32 papers, 2 seats: quota 10.67.   10 A B, 10 A C, 6 B, 6 C
  // Stage 1: A 20 elected (surplus 9.33). Stage 2: 9.33 / 20 = 0.4665 -> 0.46: B and C
  //   10.60 each (loss 0.13). Below the quota, but each >= total active vote 21.20 / 2:
  //   both qualify for the one place, level at every point: neither is deemed elected.
  // Stage 3: B or C is excluded, by lot; the other is left for the place (5.5.1).
  const r = countStv(
    election(['A', 'B', 'C'], 2, [
      [10, 'A B'],
      [10, 'A C'],
      [6, 'B'],
      [6, 'C'],
    ]),
    'ers97',
    'z',
  );
  expect(r.rounds[1]!.votes).toEqual({ A: '10.67', B: '10.60', C: '10.60' });
  expect(r.rounds[1]!.elected).toEqual([]);
  expect(r.rounds[1]!.note).toMatch(/5\.6\.2/);
  expect(r.ties).toEqual([expect.objectContaining({ round: 3, between: ['B', 'C'], brokenBy: 'lot' })]);
  const loser = r.ties[0]!.chosen;
  expect(r.elected).toEqual(['A', loser === 'B' ? 'C' : 'B']);
  const last = r.rounds[2]!;
  expect(last.transfers).toBeUndefined(); // 5.5.1: the excluded papers need not move
  expect(last.note).toMatch(/5\.5\.1/);
  expect(
    Object.values(last.votes).reduce((t, x) => t + units(x), 0n) + units(last.exhausted!) + units(last.loss!),
  ).toBe(3200n);
});

test('the last batch is everything received at that point, from every candidate excluded together (5.3.2, 6.1)', () => {
  // 61 papers, 3 seats: quota 61 / 4 = 15.25.   21 A, 11 B, 12 C, 4 D B C, 2 E B C, 11 F
  // Stage 1: A 21 elected (surplus 5.75). Not deferred: E 2 + 5.75 > D 4; E + D 6 + 5.75 >
  //   B 11; E + D + B 17 + 5.75 > F 11.
  // Stage 2: A's papers have no further preference: 5.75 non-transferable.
  // Stage 3: E + D = 6 <= B 11 (E + D + B 17 > F 11): E and D excluded together. Their
  //   papers, one batch of value 1.00, go to B: 17.00, elected (surplus 1.75). C 12 is short
  //   of the total active vote (12 + F 11 + 1.75) / 2 = 12.375.
  // Stage 4: F 11 + 1.75 > C 12: not deferred. B's surplus comes from that batch, D's 4
  //   papers and E's 2, all for C next: 1.75 / 6 = 0.2916... -> 0.29; C 12 + 6 x 0.29 =
  //   13.74 (loss 0.01), and 13.74 >= (13.74 + 11) / 2: C is elected. (D's papers alone
  //   would give 1.75 / 4 -> 0.43, E's alone 1.75 / 2 -> 0.87.)
  const r = countStv(
    election(['A', 'B', 'C', 'D', 'E', 'F'], 3, [
      [21, 'A'],
      [11, 'B'],
      [12, 'C'],
      [4, 'D B C'],
      [2, 'E B C'],
      [11, 'F'],
    ]),
    'ers97',
    't',
  );
  expect(decisions(r)).toEqual([
    [['A'], []],
    [[], []],
    [['B'], ['E', 'D']],
    [['C'], ['F']],
  ]);
  expect(r.rounds[3]!.transfers).toEqual([
    { from: 'B', kind: 'surplus', value: '0.29', to: { C: '1.74' }, exhausted: '0.00' },
  ]);
  expect(figures(r)[3]).toEqual({
    votes: { A: '15.25', B: '15.25', C: '13.74', D: '0.00', E: '0.00', F: '11.00' },
    exhausted: '5.75',
    loss: '0.01',
    quota: '15.25',
  });
  expect(r.rounds[3]!.note).toMatch(/1\.75 \/ 6\.00 transferable papers = 0\.29/);
});

import { createHash } from 'node:crypto';
import { describeModel } from '../../src/delegates/declared';
import { markRule } from '../../src/delegates/flip';
import { ballotLine, canonicalBox, councilSeed, drawCouncil, type BoxBallot } from '../../src/delegates/sortition';
import { rat } from '../../src/tally/rational';

const choice = (unit: string, option: number): BoxBallot => ({ unit, ballot: { weight: rat(1), ranking: [[option]] } });
const rank = (unit: string, ...order: number[]): BoxBallot => ({
  unit,
  ballot: { weight: rat(1), ranking: order.map((o) => [o]) },
});

/**
 * A council of 3 drawn by lot, worked by hand. The box: North A, A, B; South A, B (5 ballots).
 * The members: A 3, B 2 → A.
 * From the whole box: the council has B's majority when it holds both B ballots:
 *   C(2,2)·C(3,1) / C(5,3) = 3/10. So it differs from the members with probability 3/10.
 * Stratified: Hamilton shares the 3 seats by ballots, 3·3/5 = 1.8 and 3·2/5 = 1.2 → North 1 + the
 *   larger remainder = 2, South 1. North's 2 of (A, A, B) hold B with probability
 *   C(1,1)·C(2,1) / C(3,2) = 2/3; South's 1 of (A, B) is B with probability 1/2. B needs both:
 *   2/3 · 1/2 = 1/3. So it differs with probability 1/3.
 */
const box = [choice('North', 0), choice('North', 0), choice('North', 1), choice('South', 0), choice('South', 1)];
const plurality = { method: 'plurality' } as const;
const base = {
  box,
  options: ['A', 'B'],
  count: plurality,
  elect: 1,
  members: ['A'],
  rule: markRule(plurality, ['A', 'B']),
};

describe('a council chosen by lot', () => {
  test('from the whole box: differs from the members with probability 3/10, exactly', () => {
    const c = drawCouncil({ ...base, model: { council: 3, stratified: false, seed: 'committed-seed' } });
    expect(c.size).toBe(3);
    expect(c.ballots).toBe(5);
    expect(c.strata).toBeNull();
    expect(c.chance.method).toBe('exact');
    expect(c.chance.differs).toEqual({ probability: '3/10', share: 0.3 });
    expect(c.chance.agree).toEqual({ probability: '7/10', share: 0.7 });
    expect(c.drawn).toHaveLength(3);
    // The one draw's decision is the count of the drawn ballots.
    const sorted = canonicalBox(box);
    const bs = c.drawn.filter((p) => {
      const b = sorted[p - 1]!.ballot;
      return 'ranking' in b && b.ranking[0]![0] === 1;
    });
    expect(c.elected).toEqual([bs.length >= 2 ? 'B' : 'A']);
    expect(c.agree).toBe(c.elected[0] === 'A');
  });

  test('stratified: North 2 seats, South 1; differs with probability 1/3', () => {
    const c = drawCouncil({ ...base, model: { council: 3, stratified: true, seed: 'committed-seed' } });
    expect(c.strata).toEqual([
      { unit: 'North', ballots: 3, seats: 2 },
      { unit: 'South', ballots: 2, seats: 1 },
    ]);
    expect(c.chance.differs.probability).toBe('1/3');
    const sorted = canonicalBox(box);
    expect(c.drawn.map((p) => sorted[p - 1]!.unit).sort()).toEqual(['North', 'North', 'South']);
  });

  test("the draw's seed is SHA-256(committed, NUL, SHA-256 of the box's lines); the same box in any order draws the same", () => {
    const sorted = canonicalBox(box);
    const boxHash = createHash('sha256')
      .update(sorted.map((b) => `${ballotLine(b)}\n`).join(''))
      .digest('hex');
    const seed = councilSeed('committed-seed', sorted);
    expect(seed.box).toBe(boxHash);
    expect(seed.draw).toBe(createHash('sha256').update(`committed-seed\u0000${boxHash}`).digest('hex'));
    const model = { council: 3, stratified: false, seed: 'committed-seed' };
    const a = drawCouncil({ ...base, model });
    const b = drawCouncil({ ...base, box: [...box].reverse(), model });
    expect(b.drawn).toEqual(a.drawn);
    expect(b.seed).toEqual({ committed: 'committed-seed', ...seed });
    // One more ballot in the box changes the seed of the draw.
    expect(drawCouncil({ ...base, box: [...box, choice('South', 0)], model }).seed.draw).not.toBe(seed.draw);
  });

  test('a ranked question: the council counts its ballots by IRV; the chance is sampled from a stated seed', () => {
    const ranked = [rank('X', 0, 1, 2), rank('X', 1, 0, 2), rank('X', 2, 1, 0), rank('Y', 1, 2, 0), rank('Y', 0, 1, 2)];
    const c = drawCouncil({
      box: ranked,
      options: ['A', 'B', 'C'],
      count: { method: 'irv' },
      elect: 1,
      members: ['B'],
      rule: null,
      model: { council: 3, stratified: false, seed: 'committed-seed' },
    });
    expect(c.chance.method).toBe('sampled');
    expect(c.chance.seed).toBe(`${c.seed.draw}/sample`);
    expect(c.chance.draws).toBe(200);
    expect(c.tally.elected).toEqual(c.elected);
    expect(Number(c.chance.agree.probability.split('/')[0]) + Number(c.chance.differs.probability.split('/')[0])).toBe(
      200,
    );
  });

  test('a council larger than the box is the whole box, and says so', () => {
    const c = drawCouncil({ ...base, model: { council: 9, stratified: false, seed: 'committed-seed' } });
    expect(c.size).toBe(5);
    expect(c.drawn).toEqual([1, 2, 3, 4, 5]);
    expect(c.chance.differs.probability).toBe('0');
    expect(c.notes.join(' ')).toMatch(/only 5 ballots/);
  });

  test('the model in plain words: ballots from the box, never members; the committed seed', () => {
    const text = describeModel({ method: 'sortition', council: 3, stratified: true, seed: 'committed-seed' });
    expect(text).toContain('never members');
    expect(text).toContain('committed-seed');
    expect(text).toContain('in proportion to its ballots');
  });
});

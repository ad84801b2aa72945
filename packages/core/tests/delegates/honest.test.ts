import { compareConference, type ConferenceInput } from '../../src/delegates/index';
import { countRecordQuestion } from '../../src/record/record';
import { anscombe, tiedBranches } from './fixtures';

/** Pools and lots: what the comparison owes an organiser beyond its headline. */

describe('a comparison that rests on lots', () => {
  // Glasgow 1/4, Cardiff 3/4 over the four tie patterns; the members said Glasgow 21 to 20.
  const input: ConferenceInput = tiedBranches('Venue', ['Glasgow', 'Cardiff']);

  it('gives the probability of each outcome exactly over the four tie patterns', () => {
    const c = compareConference(input);
    expect(c.omov.elected).toEqual(['Glasgow']);
    expect(c.lotDependence).toEqual({
      method: 'exact',
      draws: 4,
      seed: null,
      outcomes: [
        { elected: ['Cardiff'], agree: false, probability: '3/4', share: 0.75 },
        { elected: ['Glasgow'], agree: true, probability: '1/4', share: 0.25 },
      ],
      agree: { probability: '1/4', share: 0.25 },
    });
    // Whatever the seed drew, the outcome as counted is one of those outcomes.
    expect(['Glasgow', 'Cardiff']).toContain(c.conference.winner);
  });

  it('says nothing about lots when none was drawn for the conference', () => {
    const c = compareConference({
      ...input,
      branches: [
        ...input.branches.slice(0, 2),
        { name: 'T1', members: 10, delegates: 2, votes: [3, 4] },
        { name: 'T2', members: 10, delegates: 2, votes: [5, 6] },
      ],
    });
    expect(c.lotDependence).toBeUndefined();
  });

  it('samples, with its seed stated, when the tie patterns are too many', () => {
    // 13 tied branches of one delegate each: 8192 patterns, the conference a fair majority of
    // 13 coin tosses, so Glasgow with probability exactly 1/2.
    const many: ConferenceInput = {
      ...input,
      seed: 'lots-test',
      branches: Array.from({ length: 13 }, (_, i) => ({ name: `T${i}`, members: 10, delegates: 1, votes: [3, 3] })),
    };
    const c = compareConference(many);
    const d = c.lotDependence!;
    expect(d.method).toBe('sampled');
    expect(d.seed).toBe('lots-test/lots');
    expect(d.draws).toBe(200);
    const drawn = d.outcomes.map((o) => Number(o.probability.split('/')[0]));
    expect(drawn.reduce((a, n) => a + n, 0)).toBe(200);
    expect(d.outcomes.every((o) => o.probability.endsWith('/200'))).toBe(true);
    const glasgow = d.outcomes.find((o) => o.elected[0] === 'Glasgow')!.share;
    // 200 draws of a fair coin: more than 5 standard errors (0.035) from 1/2 would be a bug.
    expect(Math.abs(glasgow - 0.5)).toBeLessThan(0.18);
    // The same seed draws the same: the figures can be checked.
    expect(compareConference(many).lotDependence).toEqual(d);
  });
});

describe('members of small branches pooled for secrecy', () => {
  // Big (100 members) votes Glasgow 30–20. Three branches of 10 members, pooled: Glasgow 4,
  // Cardiff 6. Members: Glasgow 34, Cardiff 26. Five delegates by Hamilton, at least one each.
  // As one unit the pool gets 1 (quotas 3.85 and 1.15): Glasgow 4, Cardiff 1 — as the members.
  // Split by membership, each pooled branch gets one delegate (the minimum) and votes
  // Cardiff (4/3 to 2), Big keeps 2: Glasgow 2, Cardiff 3. Pooling changed the answer.
  const input: ConferenceInput = {
    question: 'Venue',
    options: ['Glasgow', 'Cardiff'],
    settings: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 5, min: 1 },
    branches: [
      { name: 'Big', members: 100, votes: [30, 20] },
      {
        name: 'Pooled: P1, P2, P3',
        members: 30,
        votes: [4, 6],
        pooled: [
          { name: 'P1', members: 10 },
          { name: 'P2', members: 10 },
          { name: 'P3', members: 10 },
        ],
      },
    ],
  };

  it('counts again with the pool split, and says pooling changed the answer', () => {
    const c = compareConference(input);
    expect(c.agree).toBe(true);
    expect(c.conference.delegates).toEqual({ Glasgow: '4', Cardiff: '1' });
    expect(c.pooling).toEqual({
      pools: [{ unit: 'Pooled: P1, P2, P3', branches: ['P1', 'P2', 'P3'] }],
      elected: ['Cardiff'],
      delegates: { Glasgow: '2', Cardiff: '3' },
      changed: true,
      note: expect.stringMatching(/^Pooling changed the answer\. .* would choose Cardiff, not Glasgow\.$/),
    });
    expect(c.branches.map((b) => b.pooled)).toEqual([undefined, ['P1', 'P2', 'P3']]);
    expect(c.power!.notes.join(' ')).toMatch(/pool of small branches is not a delegation/);
  });

  it('says when pooling did not change the answer', () => {
    const c = compareConference({
      ...input,
      settings: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 5 },
    });
    expect(c.pooling!.changed).toBe(false);
    expect(c.pooling!.note).toMatch(/^Pooling did not change the answer\./);
  });

  it('has no pooling check without a pool', () => {
    expect(compareConference({ ...input, branches: [input.branches[0]!] }).pooling).toBeUndefined();
  });
});

describe("Anscombe's and Ostrogorski's paradoxes across a ballot's yes/no questions", () => {
  const { questions, votes } = anscombe;
  const ballot = { id: 'b', delegates: null, questions };

  it('names both on every yes/no question, in plain words', () => {
    const result = countRecordQuestion(ballot, questions[0]!, votes, 5, []);
    expect(result.elected).toEqual(['Yes']);
    expect(result.paradoxes).toEqual([
      {
        name: 'anscombe',
        description:
          "Anscombe's paradox: 60.00% of the voters were on the losing side of most of the 3 decided questions, although each question went the majority's way.",
      },
      {
        name: 'ostrogorski',
        description: expect.stringMatching(/^Ostrogorski's paradox: .* backed by 60\.00% against 40\.00%/),
      },
    ]);
  });

  it('adds nothing when no paradox occurs', () => {
    const calm = votes.map((v, i) => (i < 3 ? { ...v, answers: votes[3]!.answers } : v));
    expect(countRecordQuestion(ballot, questions[0]!, calm, 5, [])).not.toHaveProperty('paradoxes');
  });
});

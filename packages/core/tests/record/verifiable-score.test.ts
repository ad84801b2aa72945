import fc from 'fast-check';
import { encryptBallot } from '../../src/crypto/ballot';
import { generateCredential, generateToken } from '../../src/crypto/credential';
import { makeElection } from '../../src/crypto/election';
import { groupNamed, gPow } from '../../src/crypto/group';
import {
  isScoreShaped,
  optionScoreTotals,
  questionGroups,
  scorePlaintext,
  scoreQuestions,
} from '../../src/crypto/score';
import { computeResult, encryptedTally, partialDecrypt, resultTotals } from '../../src/crypto/tally';
import { generateTrusteeKey } from '../../src/crypto/trustee';
import type { Question, StoredVote } from '../../src/domain/ballot';
import { methodOf } from '../../src/methods/index';
import { countRecordQuestion } from '../../src/record/record';
import { scoreVotes, verifiableResults } from '../../src/record/verifiable';
import { seededRandom } from '../crypto/support';

/**
 * A verifiable ballot's score question: each option is its own Belenios question whose
 * answers are the scores. Encrypted, multiplied and decrypted, the totals are each score's
 * weight per option; counted by omov's engine they give the same result as the same votes
 * cast in office mode.
 */
const G = groupNamed('BELENIOS-2048');
const seed = fc.string({ minLength: 1, maxLength: 12 });
const labels = ['Ada', 'Ben', 'Cy'];
const scoreQuestion = (maxScore: number, seats = 1): Question =>
  ({
    id: 'q2',
    position: 1,
    title: 'Rate the candidates',
    description: '',
    method: 'score',
    settings: methodOf('score').settings.parse({ maxScore, seats }),
    options: labels.map((label, i) => ({ id: `o${i}`, position: i, label, description: '' })),
  }) as Question;
const yesno: Question = {
  id: 'q1',
  position: 0,
  title: 'Adopt?',
  description: '',
  method: 'yesno',
  settings: methodOf('yesno').settings.parse({}),
  options: [
    { id: 'y', position: 0, label: 'Yes', description: '' },
    { id: 'n', position: 1, label: 'No', description: '' },
  ],
} as Question;

/** A paper: a score per option, or null to abstain; and its weight. */
type Paper = { scores: number[] | null; weight: number };
const papers = (max: number) =>
  fc.array(
    fc.record({
      scores: fc.option(fc.array(fc.integer({ min: 0, max }), { minLength: 3, maxLength: 3 }), { freq: 4 }),
      weight: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 8 },
  );

/** The Belenios result rows of the score question, added up in plaintext. */
const plainRows = (cast: Paper[], max: number): bigint[][] =>
  labels.map((_, o) =>
    [null, ...Array.from({ length: max + 1 }, (_, s) => s)].map((s) =>
      cast.reduce((n, p) => n + ((p.scores === null ? null : p.scores[o]) === s ? BigInt(p.weight) : 0n), 0n),
    ),
  );

const officeVotes = (q: Question, cast: Paper[]): StoredVote[] =>
  cast.map((p) => ({
    unit: '',
    weight: String(p.weight),
    answers: { [q.id]: p.scores === null ? { kind: 'abstain' } : { kind: 'scores', scores: p.scores } },
  }));

test('each option becomes a question of the scores, one or blank; the groups read back', () => {
  const qs = scoreQuestions('Rate the candidates', labels, 3);
  expect(qs[0]).toEqual({
    question: 'Rate the candidates — Ada',
    answers: ['0', '1', '2', '3'],
    min: 1,
    max: 1,
    blank: true,
  });
  expect(qs.every(isScoreShaped)).toBe(true);
  const adopt = { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true };
  // A title holding the separator keeps it: the label is after the last one.
  const other = scoreQuestions('Budget — 2027', ['Roads', 'Parks'], 3);
  expect(questionGroups([adopt, ...qs, ...other])).toEqual([
    { kind: 'single', index: 0 },
    { kind: 'score', title: 'Rate the candidates', labels, maxScore: 3, first: 1 },
    { kind: 'score', title: 'Budget — 2027', labels: ['Roads', 'Parks'], maxScore: 3, first: 4 },
  ]);
  expect(isScoreShaped(adopt)).toBe(false);
  expect(scorePlaintext([2, 0, 3], 3, 3)).toEqual([
    [0, 0, 0, 1, 0],
    [0, 1, 0, 0, 0],
    [0, 0, 0, 0, 1],
  ]);
  expect(scorePlaintext(null, 2, 1)).toEqual([
    [1, 0, 0],
    [1, 0, 0],
  ]);
  expect(() => scorePlaintext([4, 0, 0], 3, 3)).toThrow(/scores go from 0 to 3/);
  expect(() => scorePlaintext([1, 0], 3, 3)).toThrow(/3 scores expected/);
  expect(optionScoreTotals([2n, 1n, 0n, 4n])).toEqual({ total: 8n, scored: 5n, blank: 2n });
});

test('encrypted, multiplied and decrypted, the score questions give the plaintext sums per score, and the office result', () => {
  fc.assert(
    fc.property(seed, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1 }), (s, max, yes) => {
      const random = seededRandom(s);
      const cast = fc.sample(papers(max), { seed: s.length * 31 + max, numRuns: 1 })[0]!;
      const trustees = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
      const election = makeElection(
        {
          uuid: generateToken(random),
          name: 'score',
          description: '',
          questions: [
            { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
            ...scoreQuestions('Rate the candidates', labels, max),
          ],
        },
        G,
        gPow(G, trustees[0]!.privateKey + trustees[1]!.privateKey),
      );
      const ballots = cast.map((p) => ({
        ballot: encryptBallot(
          election,
          generateCredential(random),
          [yes ? [0, 1, 0] : [0, 0, 1], ...scorePlaintext(p.scores, labels.length, max)],
          random,
        ).ballot,
        weight: BigInt(p.weight),
      }));
      const tally = encryptedTally(election, ballots);
      const total = cast.reduce((n, p) => n + BigInt(p.weight), 0n);
      const result = computeResult(
        election,
        tally,
        total,
        trustees.map((t) => ({ kind: 'Single' as const, key: t.publicKey })),
        trustees.map((t, z) => ({
          owner: z + 1,
          partialDecryption: partialDecrypt(election, tally, t.privateKey, random),
        })),
      );
      const rows = result.slice(1).map(resultTotals);
      expect(rows).toEqual(plainRows(cast, max));
      // Each option's total is its scores' weighted sum.
      labels.forEach((_, o) =>
        expect(optionScoreTotals(rows[o]!).total).toBe(
          cast.reduce((n, p) => n + BigInt(p.weight * (p.scores?.[o] ?? 0)), 0n),
        ),
      );
      // omov's engine counts the decrypted totals as it counts the same votes in office mode.
      const q = scoreQuestion(max);
      const [, counted] = verifiableResults('b1', [yesno, q], result, 12);
      const office = countRecordQuestion(
        { id: 'b1', delegates: null, questions: [yesno, q] },
        q,
        officeVotes(q, cast),
        12,
        [],
      );
      expect(counted).toEqual(office);
    }),
    { numRuns: 4 },
  );
}, 300_000);

test('many papers, two seats, ties: the count from the totals is the office count, figures included', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10 }),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (max, seats, n) => {
        const cast = fc.sample(papers(max), { seed: n, numRuns: 1 })[0]!;
        const q = scoreQuestion(max, seats);
        const counted = countRecordQuestion(
          { id: 'b1', delegates: null, questions: [q] },
          q,
          scoreVotes(q, plainRows(cast, max)),
          9,
          [],
        );
        const office = countRecordQuestion(
          { id: 'b1', delegates: null, questions: [q] },
          q,
          officeVotes(q, cast),
          9,
          [],
        );
        expect(counted).toEqual(office);
      },
    ),
    { numRuns: 200 },
  );
});

test('a ballot made by hand that leaves some options blank: they count as unscored, and the abstentions are the least blank', () => {
  const q = scoreQuestion(2);
  // Weight 2 abstains; weight 1 scores Ada 2 and leaves Ben and Cy blank; weight 3 scores all 1.
  const rows: bigint[][] = [
    [2n, 0n, 3n, 1n],
    [3n, 0n, 3n, 0n],
    [3n, 0n, 3n, 0n],
  ];
  const votes = scoreVotes(q, rows);
  const office = officeVotes(q, [
    { scores: null, weight: 2 },
    { scores: [2, null, null] as unknown as number[], weight: 1 },
    { scores: [1, 1, 1], weight: 3 },
  ]);
  const count = (v: StoredVote[]) => countRecordQuestion({ id: 'b1', delegates: null, questions: [q] }, q, v, 6, []);
  expect(count(votes)).toEqual(count(office));
  expect(count(votes).abstentions).toBe('2');
  // Rows that were not counted over the same ballots are refused.
  expect(() => scoreVotes(q, [rows[0]!, rows[1]!, [0n, 0n, 0n, 1n]])).toThrow(/same ballots/);
  expect(() => scoreVotes(q, [rows[0]!, rows[1]!])).toThrow(/2 rows for the score question's 3 options/);
  // A ballot's whole result must have a row per option.
  expect(() => verifiableResults('b1', [q], [rows[0]!, rows[1]!], 6)).toThrow(
    /2 rows for the ballot's 3 Belenios questions/,
  );
});

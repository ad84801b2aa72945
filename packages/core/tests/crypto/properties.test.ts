import fc from 'fast-check';
import {
  type Answer,
  type HomomorphicAnswer,
  auditBallot,
  checkBallot,
  signBallot,
  writeBallot,
  encrypt,
  encryptBallot,
  factorsFor,
  proveOneOf,
  verifyOneOf,
  type Plaintext,
} from '../../src/crypto/ballot';
import { BASE58, credentialSecret, generateCredential, generateToken, isCredential } from '../../src/crypto/credential';
import { type Election, makeElection } from '../../src/crypto/election';
import { div, groupNamed, gPow, pow } from '../../src/crypto/group';
import { randomScalar } from '../../src/crypto/random';
import { provePrivateKey, verifyPrivateKeyProof } from '../../src/crypto/schnorr';
import { checkPartialDecryption, computeResult, encryptedTally, partialDecrypt } from '../../src/crypto/tally';
import { generateTrusteeKey } from '../../src/crypto/trustee';
import { seededRandom } from './support';

/**
 * Properties of the protocol, over random inputs. Every operation is a few 2048-bit
 * exponentiations (milliseconds each), so the runs are few but the inputs vary.
 */
const G = groupNamed('BELENIOS-2048');
const seed = fc.string({ minLength: 1, maxLength: 12 });

describe('ElGamal', () => {
  test('decrypting an encryption of m gives m', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 0, max: 1000 }), (s, m) => {
        const random = seededRandom(s);
        const x = randomScalar(G, random);
        const c = encrypt(G, gPow(G, x), BigInt(m), randomScalar(G, random));
        expect(div(G, c.beta, pow(G, c.alpha, x))).toBe(gPow(G, BigInt(m)));
      }),
      { numRuns: 15 },
    );
  });
});

describe('proofs of wrong statements never verify', () => {
  test('a disjunctive proof that a ciphertext holds 0 or 1, for a ciphertext of 2 … 9', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 1 }), (s, m, claim) => {
        const random = seededRandom(s);
        const y = gPow(G, randomScalar(G, random));
        const r = randomScalar(G, random);
        const c = encrypt(G, y, BigInt(m), r);
        const d = factorsFor(G, 0, 1);
        expect(verifyOneOf(G, y, d, 'zkp', proveOneOf(G, y, d, 'zkp', claim, r, c, random), c)).toBe(false);
      }),
      { numRuns: 10 },
    );
  });

  test('a true proof verifies, but not for another ciphertext, another value range or another context', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 0, max: 3 }), (s, m) => {
        const random = seededRandom(s);
        const y = gPow(G, randomScalar(G, random));
        const r = randomScalar(G, random);
        const c = encrypt(G, y, BigInt(m), r);
        const d = factorsFor(G, 0, 3);
        const proof = proveOneOf(G, y, d, 'zkp', m, r, c, random);
        expect(verifyOneOf(G, y, d, 'zkp', proof, c)).toBe(true);
        expect(verifyOneOf(G, y, d, 'other', proof, c)).toBe(false);
        expect(verifyOneOf(G, y, factorsFor(G, 1, 4), 'zkp', proof, c)).toBe(false);
        expect(verifyOneOf(G, y, d, 'zkp', proof, encrypt(G, y, BigInt(m), randomScalar(G, random)))).toBe(false);
      }),
      { numRuns: 5 },
    );
  });

  test('a proof of knowledge of a private key, checked against another public key', () => {
    fc.assert(
      fc.property(seed, fc.bigInt({ min: 1n, max: 1n << 64n }), (s, delta) => {
        const random = seededRandom(s);
        const x = randomScalar(G, random);
        const proof = provePrivateKey(G, x, random);
        expect(verifyPrivateKeyProof(G, gPow(G, x), proof)).toBe(true);
        expect(verifyPrivateKeyProof(G, gPow(G, x + delta), proof)).toBe(false);
      }),
      { numRuns: 10 },
    );
  });
});

// One small election for the ballot properties: a select-one that allows blank, and an approval.
function smallElection(random: ReturnType<typeof seededRandom>, publicKey: bigint): Election {
  return makeElection(
    {
      uuid: generateToken(random),
      name: 'properties',
      description: '',
      questions: [
        { question: 'One of two, or blank', answers: ['a', 'b'], min: 1, max: 1, blank: true },
        { question: 'Any of three', answers: ['x', 'y', 'z'], min: 0, max: 3, blank: false },
      ],
    },
    G,
    publicKey,
  );
}
const selectOneOrBlank = fc.constantFrom([1, 0, 0], [0, 1, 0], [0, 0, 1]);
const approval = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 3, maxLength: 3 });

describe('the homomorphic tally', () => {
  test('decrypting the product of the ballots gives the weighted sums of their answers', () => {
    fc.assert(
      fc.property(
        seed,
        fc.array(fc.record({ vote: fc.tuple(selectOneOrBlank, approval), weight: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (s, papers) => {
          const random = seededRandom(s);
          const trustees = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
          const election = smallElection(random, gPow(G, trustees[0]!.privateKey + trustees[1]!.privateKey));
          const ballots = papers.map((p) => ({
            ballot: encryptBallot(election, generateCredential(random), p.vote, random).ballot,
            weight: BigInt(p.weight),
          }));
          const tally = encryptedTally(election, ballots);
          const pds = trustees.map((t) => partialDecrypt(election, tally, t.privateKey, random));
          const total = papers.reduce((a, p) => a + BigInt(p.weight), 0n);
          const result = computeResult(
            election,
            tally,
            total,
            trustees.map((t) => ({ kind: 'Single' as const, key: t.publicKey })),
            pds.map((partialDecryption, z) => ({ owner: z + 1, partialDecryption })),
          );
          const expected = [0, 1].map((q) =>
            papers[0]!.vote[q]!.map((_, j) => papers.reduce((a, p) => a + BigInt(p.weight * p.vote[q]![j]!), 0n)),
          );
          expect(result).toEqual(expected);
          // A share made with a key other than the trustee's is caught.
          const wrong = partialDecrypt(election, tally, trustees[0]!.privateKey + 1n, random);
          expect(checkPartialDecryption(election, tally, trustees[0]!.publicKey.publicKey, wrong)).toBe(false);
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);
});

describe('ballots', () => {
  const random = seededRandom('ballots');
  const election = smallElection(random, gPow(G, randomScalar(G, random)));
  const credential = generateCredential(random);
  const cast: Plaintext = [
    [0, 1, 0],
    [1, 0, 1],
  ];
  const made = encryptBallot(election, credential, cast, random);

  test('a ballot made here verifies, and changing any one digit of it makes it fail', () => {
    expect(checkBallot(election, made.text)).toMatchObject({ ok: true, tracker: made.tracker });
    const digits = [...made.text.matchAll(/[0-9]/g)].map((m) => m.index);
    fc.assert(
      fc.property(fc.constantFrom(...digits), fc.integer({ min: 1, max: 9 }), (at, shift) => {
        const changed = String((Number(made.text[at]) + shift) % 10);
        const tampered = made.text.slice(0, at) + changed + made.text.slice(at + 1);
        expect(checkBallot(election, tampered).ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  test('a voter who signs a ballot with a forged proof (a choice worth 2) is refused by the proofs, not the signature', () => {
    const secret = credentialSecret(G, election.uuid, credential);
    const y = election.publicKey;
    const r = randomScalar(G, random);
    const worthTwo = encrypt(G, y, 2n, r);
    const [first, second] = made.ballot.answers as [Answer, HomomorphicAnswer];
    const forged: Answer = {
      ...second,
      choices: [worthTwo, ...second.choices.slice(1)],
      individualProofs: [
        proveOneOf(
          G,
          y,
          factorsFor(G, 0, 1),
          `${election.fingerprint}|${made.ballot.credential}`,
          1,
          r,
          worthTwo,
          random,
        ),
        ...second.individualProofs.slice(1),
      ],
    };
    const cheat = signBallot(election, secret, { ...made.ballot, answers: [first, forged] }, random);
    expect(checkBallot(election, writeBallot(cheat))).toEqual({
      ok: false,
      reason: 'a proof of the answer to question 2 does not verify',
    });
    // The same re-signing without the forgery verifies: the signature was not what failed.
    expect(checkBallot(election, writeBallot(signBallot(election, secret, made.ballot, random))).ok).toBe(true);
  });

  test('an audited ballot (Benaloh challenge) opens to its answers with its randomness, and to no other answers', () => {
    const opens = (p: Plaintext, randomness = made.randomness) => auditBallot(election, made.ballot, p, randomness);
    expect(opens(cast)).toBe(true);
    expect(
      opens([
        [0, 0, 1],
        [1, 0, 1],
      ]),
    ).toBe(false);
    expect(
      opens([
        [0, 1, 0],
        [1, 1, 1],
      ]),
    ).toBe(false);
    expect(opens(cast, encryptBallot(election, credential, cast, random).randomness)).toBe(false);
  });

  test('answers outside a question’s rules are refused before anything is encrypted', () => {
    const bad: Plaintext[] = [
      [
        [1, 1, 0],
        [0, 0, 0],
      ], // blank and a choice
      [
        [0, 1, 1],
        [0, 0, 0],
      ], // two choices where one is allowed
      [
        [0, 0, 0],
        [0, 0, 0],
      ], // neither a choice nor blank
      [
        [0, 1, 0],
        [2, 0, 0],
      ], // not 0 or 1
      [[0, 1, 0]], // a question missing
    ];
    for (const p of bad) expect(() => encryptBallot(election, credential, p, random)).toThrow(RangeError);
  });

  // The checksum is mod 53: it catches a character changed to a neighbouring digit (not one 53 digits away).
  test('credentials: every generated one is well formed; a character changed to its neighbour is caught', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 0, max: 18 }), (s, at) => {
        const c = generateCredential(seededRandom(s));
        expect(isCredential(c)).toBe(true);
        expect(isCredential(c.replaceAll('-', ''))).toBe(true);
        if (c[at] === '-') return;
        const other = BASE58[(BASE58.indexOf(c[at]!) + 1) % 58]!;
        expect(isCredential(c.slice(0, at) + other + c.slice(at + 1))).toBe(false);
      }),
    );
  });
});

import * as z from 'zod';
import { credentialSecret } from './credential';
import { type Election, type Question, questionLength } from './election';
import { div, fixBase, type Group, gPow, groupEncode, isElement, isScalar, modQ, mul, pow, pow2 } from './group';
import { hashToScalar, sha256B64 } from './hash';
import { type RandomBytes, randomScalar } from './random';
import {
  type Ciphertext,
  ciphertextJson,
  numberJson,
  parseJson,
  type Proof,
  proofJson,
  writeArray,
  writeCiphertext,
  writeProof,
} from './wire';

/**
 * Ballots for homomorphic questions (specification, "Encrypted answers", "Proofs of
 * interval membership", "Proofs of possibly-blank votes", "Signatures", "Ballots"), in the
 * exact JSON and with the exact hash inputs of Belenios 2.0, so that belenios-tool accepts
 * ballots made here and this module accepts belenios-tool's.
 *
 * A plaintext answer to a homomorphic question is Belenios's: one 0 or 1 per answer,
 * preceded, where blank votes are allowed, by 1 for a blank vote and 0 otherwise. To a
 * non-homomorphic question, one small number per answer (for a ranked question, the
 * answer's rank: 1 first, 0 unranked), all encoded in one element and encrypted once.
 */
export type HomomorphicAnswer = {
  readonly choices: ReadonlyArray<Ciphertext>;
  readonly individualProofs: ReadonlyArray<ReadonlyArray<Proof>>;
  readonly overallProof: ReadonlyArray<Proof>;
  readonly blankProof?: ReadonlyArray<Proof>;
};

/** Belenios's answer_nh: one ciphertext (`choices` in its JSON) and a proof of knowledge of its randomness. */
export type NonHomomorphicAnswer = { readonly choice: Ciphertext; readonly proof: Proof };

export type Answer = HomomorphicAnswer | NonHomomorphicAnswer;

export const isNonHomomorphicAnswer = (a: Answer): a is NonHomomorphicAnswer => 'choice' in a;

export type Ballot = {
  readonly electionUuid: string;
  readonly electionHash: string;
  readonly credential: bigint;
  readonly answers: ReadonlyArray<Answer>;
  readonly signature?: { readonly hash: string; readonly proof: Proof };
};

export type Plaintext = ReadonlyArray<ReadonlyArray<number>>;

/** Why a plaintext does not fit its question, or undefined when it does. */
export function plaintextProblem(q: Question, m: ReadonlyArray<number>): string | undefined {
  if (m.length !== questionLength(q)) return `${questionLength(q)} values expected`;
  if (q.nonHomomorphic) return rankingProblem(m);
  if (m.some((x) => x !== 0 && x !== 1)) return 'each value is 0 or 1';
  const chosen = m.slice(q.blank ? 1 : 0).reduce((a, b) => a + b, 0);
  if (q.blank && m[0] === 1) return chosen === 0 ? undefined : 'a blank vote chooses nothing';
  return chosen >= q.min && chosen <= q.max ? undefined : `from ${q.min} to ${q.max} answers must be chosen`;
}

/**
 * Why a ranking does not hold, or undefined: each answer's rank, 1 first, 0 for an answer not
 * ranked; the ranks used are 1, 2, … with none skipped and none twice (no ties). Nothing
 * ranked is a blank vote. (Belenios itself checks none of this: a ballot can encrypt any
 * numbers, and the count must treat such a ranking as spoilt.)
 */
export function rankingProblem(m: ReadonlyArray<number>): string | undefined {
  if (m.some((x) => !Number.isInteger(x) || x < 0 || x > m.length))
    return `each rank is a whole number from 0 (not ranked) to ${m.length}`;
  const ranks = m.filter((x) => x > 0).sort((a, b) => a - b);
  if (ranks.some((r, i) => r !== i + 1)) return 'the ranks are 1, 2, 3, … with none skipped and none repeated';
  return undefined;
}

// --- the disjunctive ("one of these values") proofs ---------------------------------------

/**
 * Proves that (alpha, beta) = (g^r, y^r · g^M_x) with the factors d_i = g^−M_i: a genuine
 * proof for index x, simulated ones for the others (Belenios's eg_disj_prove).
 */
export function proveOneOf(
  G: Group,
  y: bigint,
  d: ReadonlyArray<bigint>,
  zkp: string,
  x: number,
  r: bigint,
  c: Ciphertext,
  random: RandomBytes,
): Proof[] {
  const proofs: Proof[] = [];
  const commitments: bigint[] = [];
  let simulated = 0n;
  d.forEach((di, i) => {
    if (i === x) return;
    const challenge = randomScalar(G, random);
    const response = randomScalar(G, random);
    proofs[i] = { challenge, response };
    commitments[2 * i] = gPow(G, response + r * challenge);
    commitments[2 * i + 1] = mul(G, pow(G, y, response), pow(G, mul(G, c.beta, di), challenge));
    simulated += challenge;
  });
  const w = randomScalar(G, random);
  commitments[2 * x] = gPow(G, w);
  commitments[2 * x + 1] = pow(G, y, w);
  const challenge = modQ(G, hashToScalar(G, `prove|${zkp}|${c.alpha},${c.beta}|`, commitments) - simulated);
  proofs[x] = { challenge, response: modQ(G, w - r * challenge) };
  return proofs;
}

/**
 * Checks a proof from proveOneOf: (alpha, beta) encrypts one of the M_i. With `elements`, alpha
 * and beta are known to be elements of the group (a product of checked ones, as an answer's
 * sum) and their membership is not checked again.
 */
export function verifyOneOf(
  G: Group,
  y: bigint,
  d: ReadonlyArray<bigint>,
  zkp: string,
  proofs: ReadonlyArray<Proof>,
  c: Ciphertext,
  elements = false,
): boolean {
  if (!elements && !(isElement(G, c.alpha) && isElement(G, c.beta))) return false;
  if (proofs.length !== d.length) return false;
  if (!proofs.every((p) => isScalar(G, p.challenge) && isScalar(G, p.response))) return false;
  const commitments = proofs.flatMap((p, i) => [
    pow2(G, G.g, p.response, c.alpha, p.challenge),
    pow2(G, y, p.response, mul(G, c.beta, d[i]!), p.challenge),
  ]);
  const total = modQ(
    G,
    proofs.reduce((a, p) => a + p.challenge, 0n),
  );
  return hashToScalar(G, `prove|${zkp}|${c.alpha},${c.beta}|`, commitments) === total;
}

/** d_i = g^−(min+i) for i = 0 … max−min: the factors for "the plaintext is one of min … max". */
export const factorsFor = (G: Group, min: number, max: number): bigint[] =>
  Array.from({ length: max - min + 1 }, (_, i) => gPow(G, -BigInt(min + i)));

// --- the proofs of possibly-blank answers ---------------------------------------------------

type Secret = { readonly m: number; readonly r: bigint; readonly c: Ciphertext };

/** A simulated branch: random challenge and response, commitments that verify with them. */
function simulate(G: Group, y: bigint, r: bigint, beta: bigint, random: RandomBytes) {
  const challenge = randomScalar(G, random);
  const response = randomScalar(G, random);
  return {
    proof: { challenge, response },
    A: gPow(G, response + r * challenge),
    B: mul(G, pow(G, y, response), pow(G, beta, challenge)),
  };
}

/**
 * For a question that allows blank votes: blank_proof shows m0 = 0 ∨ mΣ = 0, overall_proof
 * shows m0 = 1 ∨ mΣ ∈ [min, max] (m0: the blank flag; mΣ: how many answers are chosen).
 */
function proveBlank(
  G: Group,
  y: bigint,
  zkp: string,
  q: Question,
  blank: Secret,
  sum: Secret,
  random: RandomBytes,
): { overallProof: Proof[]; blankProof: Proof[] } {
  const size = q.max - q.min + 2;
  const betaFor = (i: number) =>
    i === 0 ? div(G, blank.c.beta, G.g) : div(G, sum.c.beta, gPow(G, BigInt(q.min + i - 1)));
  const rFor = (i: number) => (i === 0 ? blank.r : sum.r);
  // The genuine branch of overall_proof: index 0 for a blank vote, else the one of mΣ.
  const genuine = blank.m === 1 ? 0 : sum.m - q.min + 1;
  const overallProof: Proof[] = [];
  const commitments: bigint[] = [];
  let simulated = 0n;
  for (let i = 0; i < size; i++) {
    if (i === genuine) continue;
    const s = simulate(G, y, rFor(i), betaFor(i), random);
    overallProof[i] = s.proof;
    commitments[2 * i] = s.A;
    commitments[2 * i + 1] = s.B;
    simulated += s.proof.challenge;
  }
  const w = randomScalar(G, random);
  commitments[2 * genuine] = gPow(G, w);
  commitments[2 * genuine + 1] = pow(G, y, w);
  const challenge = modQ(G, hashToScalar(G, `bproof1|${zkp}|`, commitments) - simulated);
  overallProof[genuine] = { challenge, response: modQ(G, w - rFor(genuine) * challenge) };

  // blank_proof: branch 0 is "m0 = 0" (genuine for a non-blank vote), branch 1 "mΣ = 0".
  const [real, fake] = blank.m === 0 ? [blank, sum] : [sum, blank];
  const s = simulate(G, y, fake.r, fake.c.beta, random);
  const v = randomScalar(G, random);
  const realCommitments = [gPow(G, v), pow(G, y, v)];
  const ordered = blank.m === 0 ? [...realCommitments, s.A, s.B] : [s.A, s.B, ...realCommitments];
  const c = modQ(G, hashToScalar(G, `bproof0|${zkp}|`, ordered) - s.proof.challenge);
  const realProof = { challenge: c, response: modQ(G, v - real.r * c) };
  return { overallProof, blankProof: blank.m === 0 ? [realProof, s.proof] : [s.proof, realProof] };
}

/** Checks the proofs of proveBlank; c0 and cSum are elements of the group, checked by the caller (cSum a product of checked ones). */
function verifyBlank(
  G: Group,
  y: bigint,
  zkp: string,
  q: Question,
  c0: Ciphertext,
  cSum: Ciphertext,
  overallProof: ReadonlyArray<Proof>,
  blankProof: ReadonlyArray<Proof>,
): boolean {
  if (blankProof.length !== 2 || overallProof.length !== q.max - q.min + 2) return false;
  if (![...blankProof, ...overallProof].every((p) => isScalar(G, p.challenge) && isScalar(G, p.response))) return false;
  const commit = (p: Proof, alpha: bigint, beta: bigint) => [
    pow2(G, G.g, p.response, alpha, p.challenge),
    pow2(G, y, p.response, beta, p.challenge),
  ];
  const sumOf = (ps: ReadonlyArray<Proof>) =>
    modQ(
      G,
      ps.reduce((a, p) => a + p.challenge, 0n),
    );
  const blankCommitments = [
    ...commit(blankProof[0]!, c0.alpha, c0.beta),
    ...commit(blankProof[1]!, cSum.alpha, cSum.beta),
  ];
  if (hashToScalar(G, `bproof0|${zkp}|`, blankCommitments) !== sumOf(blankProof)) return false;
  // beta / g^k as beta · g^−k: for an element of the group the same, by the generator's table instead of an inversion.
  const overallCommitments = overallProof.flatMap((p, i) =>
    i === 0
      ? commit(p, c0.alpha, mul(G, c0.beta, gPow(G, -1n)))
      : commit(p, cSum.alpha, mul(G, cSum.beta, gPow(G, -BigInt(q.min + i - 1)))),
  );
  return hashToScalar(G, `bproof1|${zkp}|`, overallCommitments) === sumOf(overallProof);
}

// --- answers and ballots ------------------------------------------------------------------

// --- non-homomorphic answers (specification, "Non-homomorphic answers"; Belenios's Question_nh) ---

const rawegPrefix = (zkp: string, y: bigint, c: Ciphertext) => `raweg|${zkp}|${y},${c.alpha},${c.beta}|`;

/** ElGamal encryption of the encoded answers, with a Schnorr proof of knowledge of r (so the ciphertext is not a copy). */
function encryptNonHomomorphic(
  election: Election,
  zkp: string,
  m: ReadonlyArray<number>,
  random: RandomBytes,
): { answer: NonHomomorphicAnswer; randomness: bigint[] } {
  const G = election.group;
  const y = election.publicKey;
  const r = randomScalar(G, random);
  const choice = { alpha: gPow(G, r), beta: mul(G, pow(G, y, r), groupEncode(G, m)) };
  const w = randomScalar(G, random);
  const challenge = hashToScalar(G, rawegPrefix(zkp, y, choice), [gPow(G, w)]);
  return { answer: { choice, proof: { challenge, response: modQ(G, w - r * challenge) } }, randomness: [r] };
}

function verifyNonHomomorphic(election: Election, zkp: string, a: NonHomomorphicAnswer): boolean {
  const G = election.group;
  const { choice: c, proof: p } = a;
  if (!isElement(G, c.alpha) || !isElement(G, c.beta) || !isScalar(G, p.challenge) || !isScalar(G, p.response))
    return false;
  const commitment = pow2(G, G.g, p.response, c.alpha, p.challenge);
  return hashToScalar(G, rawegPrefix(zkp, election.publicKey, c), [commitment]) === p.challenge;
}

const combine = (G: Group, cs: ReadonlyArray<Ciphertext>): Ciphertext =>
  cs.reduce((a, c) => ({ alpha: mul(G, a.alpha, c.alpha), beta: mul(G, a.beta, c.beta) }), { alpha: 1n, beta: 1n });

const choicesText = (cs: ReadonlyArray<Ciphertext>): string => cs.map((c) => `${c.alpha},${c.beta}`).join(',');

/** ElGamal encryption of g^m under y with randomness r. */
export const encrypt = (G: Group, y: bigint, m: bigint, r: bigint): Ciphertext => ({
  alpha: gPow(G, r),
  beta: mul(G, pow(G, y, r), gPow(G, m)),
});

function encryptAnswer(
  election: Election,
  zkp: string,
  q: Question,
  m: ReadonlyArray<number>,
  random: RandomBytes,
): { answer: Answer; randomness: bigint[] } {
  if (q.nonHomomorphic) return encryptNonHomomorphic(election, zkp, m, random);
  const G = election.group;
  const y = election.publicKey;
  const randomness = m.map(() => randomScalar(G, random));
  const choices = m.map((x, i) => encrypt(G, y, BigInt(x), randomness[i]!));
  const zeroOrOne = factorsFor(G, 0, 1);
  const individualProofs = m.map((x, i) => proveOneOf(G, y, zeroOrOne, zkp, x, randomness[i]!, choices[i]!, random));
  const overallZkp = `${zkp}|${choicesText(choices)}`;
  const first = q.blank ? 1 : 0;
  const sum: Secret = {
    m: m.slice(first).reduce((a, b) => a + b, 0),
    r: randomness.slice(first).reduce((a, b) => a + b, 0n),
    c: combine(G, choices.slice(first)),
  };
  if (q.blank) {
    const blank: Secret = { m: m[0]!, r: randomness[0]!, c: choices[0]! };
    const { overallProof, blankProof } = proveBlank(G, y, overallZkp, q, blank, sum, random);
    return { answer: { choices, individualProofs, overallProof, blankProof }, randomness };
  }
  const overallProof = proveOneOf(G, y, factorsFor(G, q.min, q.max), overallZkp, sum.m - q.min, sum.r, sum.c, random);
  return { answer: { choices, individualProofs, overallProof }, randomness };
}

function verifyAnswer(election: Election, zkp: string, q: Question, a: Answer): boolean {
  if (q.nonHomomorphic || isNonHomomorphicAnswer(a))
    return q.nonHomomorphic !== undefined && isNonHomomorphicAnswer(a) && verifyNonHomomorphic(election, zkp, a);
  const G = election.group;
  const y = election.publicKey;
  const n = questionLength(q);
  if (a.choices.length !== n || a.individualProofs.length !== n) return false;
  const zeroOrOne = factorsFor(G, 0, 1);
  // Each choice's membership is checked here, once; the blank and overall proofs' ciphertexts are these or their product.
  if (!a.choices.every((c, i) => verifyOneOf(G, y, zeroOrOne, zkp, a.individualProofs[i]!, c))) return false;
  const overallZkp = `${zkp}|${choicesText(a.choices)}`;
  if (q.blank) {
    if (!a.blankProof) return false;
    return verifyBlank(
      G,
      y,
      overallZkp,
      q,
      a.choices[0]!,
      combine(G, a.choices.slice(1)),
      a.overallProof,
      a.blankProof,
    );
  }
  if (a.blankProof) return false;
  return verifyOneOf(G, y, factorsFor(G, q.min, q.max), overallZkp, a.overallProof, combine(G, a.choices), true);
}

const writeAnswer = (a: Answer): string =>
  isNonHomomorphicAnswer(a)
    ? `{"choices":${writeCiphertext(a.choice)},"proof":${writeProof(a.proof)}}`
    : `{"choices":${writeArray(a.choices, writeCiphertext)},"individual_proofs":${writeArray(a.individualProofs, (ps) => writeArray(ps, writeProof))}` +
      `,"overall_proof":${writeArray(a.overallProof, writeProof)}` +
      (a.blankProof ? `,"blank_proof":${writeArray(a.blankProof, writeProof)}` : '') +
      '}';

/** The ballot's JSON, fields in Belenios's order; without the signature it is what the signature signs. */
export function writeBallot(b: Ballot): string {
  return (
    `{"election_uuid":"${b.electionUuid}","election_hash":"${b.electionHash}","credential":"${b.credential}"` +
    `,"answers":${writeArray(b.answers, writeAnswer)}` +
    (b.signature ? `,"signature":{"hash":"${b.signature.hash}","proof":${writeProof(b.signature.proof)}}` : '') +
    '}'
  );
}

/** The smart ballot tracker: H_JSON of the ballot's text, which the voter can look for on the bulletin board. */
export const ballotTracker = (ballotText: string): string => sha256B64(ballotText);

const signaturePrefix = (hash: string) => `sig|${hash}|`;

export type EncryptedBallot = {
  readonly ballot: Ballot;
  /** The JSON text to send; its hash is the tracker. */
  readonly text: string;
  readonly tracker: string;
  /** The encryption randomness, per question and value: revealed only to audit a ballot instead of casting it. */
  readonly randomness: ReadonlyArray<ReadonlyArray<bigint>>;
};

/** Signs a ballot with the voter's signing key (credentialSecret): a Schnorr signature of the unsigned ballot's hash. */
export function signBallot(election: Election, secret: bigint, unsigned: Ballot, random: RandomBytes): Ballot {
  const G = election.group;
  const { signature: _, ...contents } = unsigned;
  const hash = sha256B64(writeBallot(contents));
  const w = randomScalar(G, random);
  const challenge = hashToScalar(G, signaturePrefix(hash), [gPow(G, w)]);
  return { ...contents, signature: { hash, proof: { challenge, response: modQ(G, w - secret * challenge) } } };
}

/** Encrypts a voter's answers and signs them with their private credential (Belenios's create_ballot). */
export function encryptBallot(
  election: Election,
  credential: string,
  plaintext: Plaintext,
  random: RandomBytes,
): EncryptedBallot {
  const G = election.group;
  if (plaintext.length !== election.questions.length) throw new RangeError('one answer per question is expected');
  fixBase(G, election.publicKey);
  election.questions.forEach((q, i) => {
    const problem = plaintextProblem(q, plaintext[i]!);
    if (problem) throw new RangeError(`question ${i + 1}: ${problem}`);
  });
  const secret = credentialSecret(G, election.uuid, credential);
  const publicCredential = gPow(G, secret);
  const zkp = `${election.fingerprint}|${publicCredential}`;
  const encrypted = election.questions.map((q, i) => encryptAnswer(election, zkp, q, plaintext[i]!, random));
  const unsigned: Ballot = {
    electionUuid: election.uuid,
    electionHash: election.fingerprint,
    credential: publicCredential,
    answers: encrypted.map((e) => e.answer),
  };
  const ballot = signBallot(election, secret, unsigned, random);
  const text = writeBallot(ballot);
  return { ballot, text, tracker: ballotTracker(text), randomness: encrypted.map((e) => e.randomness) };
}

/**
 * The Benaloh challenge: a voter who audits a ballot instead of casting it is shown its
 * randomness, and anyone can check that every ciphertext is the encryption of the claimed
 * answers with it. An audited ballot must never be cast (its secrecy is gone).
 */
export function auditBallot(
  election: Election,
  ballot: Ballot,
  plaintext: Plaintext,
  randomness: ReadonlyArray<ReadonlyArray<bigint>>,
): boolean {
  const G = election.group;
  return (
    ballot.answers.length === plaintext.length &&
    ballot.answers.every((a, i) => {
      const m = plaintext[i]!;
      const r = randomness[i];
      if (isNonHomomorphicAnswer(a)) {
        if (!r || r.length !== 1) return false;
        const y = election.publicKey;
        const alpha = gPow(G, r[0]!);
        return alpha === a.choice.alpha && mul(G, pow(G, y, r[0]!), groupEncode(G, m)) === a.choice.beta;
      }
      if (!r || a.choices.length !== m.length || r.length !== m.length) return false;
      return a.choices.every((c, j) => {
        const e = encrypt(G, election.publicKey, BigInt(m[j]!), r[j]!);
        return e.alpha === c.alpha && e.beta === c.beta;
      });
    })
  );
}

const answerJson = z.union([
  z.strictObject({
    choices: z.array(ciphertextJson),
    individual_proofs: z.array(z.array(proofJson)),
    overall_proof: z.array(proofJson),
    blank_proof: z.array(proofJson).optional(),
  }),
  z.strictObject({ choices: ciphertextJson, proof: proofJson }),
]);

const ballotJson = z.strictObject({
  election_uuid: z.string(),
  election_hash: z.string(),
  credential: numberJson,
  answers: z.array(answerJson),
  signature: z.strictObject({ hash: z.string(), proof: proofJson }).optional(),
});

export function parseBallot(text: string): Ballot {
  const b = parseJson(ballotJson, text, 'ballot');
  return {
    electionUuid: b.election_uuid,
    electionHash: b.election_hash,
    credential: b.credential,
    answers: b.answers.map((a): Answer =>
      'proof' in a
        ? { choice: a.choices, proof: a.proof }
        : {
            choices: a.choices,
            individualProofs: a.individual_proofs,
            overallProof: a.overall_proof,
            ...(a.blank_proof ? { blankProof: a.blank_proof } : {}),
          },
    ),
    ...(b.signature ? { signature: b.signature } : {}),
  };
}

export type BallotCheck =
  | { readonly ok: true; readonly ballot: Ballot; readonly tracker: string }
  | { readonly ok: false; readonly reason: string };

/**
 * What can be checked of a ballot cheaply, without its proofs: its text is canonical (so its
 * tracker is well defined), it names this election, and its signature by its credential
 * holds. Only the holder of a private credential can make a ballot that passes this.
 */
export function checkSignature(election: Election, text: string): BallotCheck {
  let ballot: Ballot;
  try {
    ballot = parseBallot(text);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (writeBallot(ballot) !== text) return { ok: false, reason: 'the ballot is not written in canonical form' };
  if (ballot.electionUuid !== election.uuid || ballot.electionHash !== election.fingerprint)
    return { ok: false, reason: 'the ballot is for another election' };
  const G = election.group;
  const sig = ballot.signature;
  if (!sig) return { ok: false, reason: 'the ballot is not signed' };
  const { signature: _, ...unsigned } = ballot;
  if (sig.hash !== sha256B64(writeBallot(unsigned)))
    return { ok: false, reason: 'the signature is for other contents' };
  if (
    !isElement(G, ballot.credential) ||
    !isScalar(G, sig.proof.challenge) ||
    !isScalar(G, sig.proof.response) ||
    hashToScalar(G, signaturePrefix(sig.hash), [
      pow2(G, G.g, sig.proof.response, ballot.credential, sig.proof.challenge),
    ]) !== sig.proof.challenge
  )
    return { ok: false, reason: 'the signature does not verify with the ballot’s credential' };
  return { ok: true, ballot, tracker: ballotTracker(text) };
}

/**
 * Everything a ballot can be checked for on its own (Belenios's cast and check_ballot): its
 * signature (checkSignature) and every proof. Whether the credential is on the list, and
 * unused, is for the caller.
 */
export function checkBallot(election: Election, text: string): BallotCheck {
  const signed = checkSignature(election, text);
  if (!signed.ok) return signed;
  const { ballot } = signed;
  if (ballot.answers.length !== election.questions.length)
    return { ok: false, reason: 'the ballot does not answer every question' };
  const zkp = `${election.fingerprint}|${ballot.credential}`;
  // The public key is the base of half of every proof's exponentiations: one table per election, kept.
  fixBase(election.group, election.publicKey);
  for (let i = 0; i < election.questions.length; i++)
    if (!verifyAnswer(election, zkp, election.questions[i]!, ballot.answers[i]!))
      return { ok: false, reason: `a proof of the answer to question ${i + 1} does not verify` };
  return signed;
}

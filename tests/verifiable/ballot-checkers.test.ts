import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import { checkBallot, encryptBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken } from '@omov/core/crypto/credential';
import type { BranchTallies } from '@omov/core/crypto/branch-tally';
import { makeElection } from '@omov/core/crypto/election';
import { firstProblem, poolInputs, poolShuffle, poolShuffleSteps } from '@omov/core/crypto/pool-shuffle';
import { randomScalar, systemRandom } from '@omov/core/crypto/random';
import { checkShuffleProof, reEncryptCiphertext, type ShuffleCheck, shuffleChecks } from '@omov/core/crypto/shuffle';
import { generateTrusteeKey } from '@omov/core/crypto/trustee';
import { loadConfig } from '../../src/platform/config';
import { BallotCheckers } from '../../src/services/ballot-checkers';
import { G } from '../support/trustees';

/**
 * The pool that checks cast verifiable ballots and trustees' proofs of shuffle off the event
 * loop (src/services/ballot-checkers.ts): its threads answer what the core's checkBallot and
 * checkShuffleProof answer, the event loop runs while they check, a shuffle's whole-list proof
 * and its pool proofs go to different threads, a thread that dies fails only its own jobs,
 * and BALLOT_CHECKERS sizes it.
 */
const questions = [
  { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
  { question: 'Approve', answers: ['Ada', 'Ben', 'Cy'], min: 1, max: 2, blank: true },
];
const election = makeElection(
  { uuid: generateToken(systemRandom), name: 'Checkers', description: '', questions },
  G,
  generateTrusteeKey(G, systemRandom).publicKey.publicKey,
);
const plaintext: Plaintext = [
  [0, 1, 0],
  [0, 1, 0, 1],
];
const ballots = Array.from({ length: 4 }, () =>
  encryptBallot(election, generateCredential(systemRandom), plaintext, systemRandom),
);

// A ranked question's row of 6 ciphertexts (encryptions of 1), and a shuffle of it that keeps
// two pools apart (A: places 1, 3, 5; B: 2, 4, 6), with its whole-list proof and pool proofs.
const row = Array.from({ length: 6 }, () =>
  reEncryptCiphertext(election, { alpha: 1n, beta: 1n }, randomScalar(G, systemRandom)),
);
const section = {
  pools: [
    { name: 'A', ballots: 3, positions: [[0, 2, 4]] },
    { name: 'B', ballots: 3, positions: [[1, 3, 5]] },
  ],
} as unknown as Pick<BranchTallies, 'pools'>;
const shuffled = poolShuffle(election, [row], poolInputs(section, 0)!, systemRandom);
const whole = shuffleChecks([row], shuffled.shuffle)!;
const poolSteps = poolShuffleSteps(section, 0, [row], shuffled.shuffle.ciphertexts, shuffled.pools);
const poolChecks = poolSteps.map((s) => s.check!);
const onThisThread = (checks: ReadonlyArray<ShuffleCheck>) =>
  checks.map((c) => checkShuffleProof(election, c.before, c.after, c.proof));
/** The pool's threads, reached as the pool holds them. */
const threadsOf = (p: BallotCheckers) =>
  (
    p as unknown as {
      threads: Array<
        { worker: { terminate(): Promise<number> }; inFlight: Map<number, unknown>; load: number } | undefined
      >;
    }
  ).threads;

let pool: BallotCheckers;
beforeEach(() => (pool = new BallotCheckers(2)));
afterEach(() => pool.close());

test('the threads accept what the core accepts, with its tracker and credential', async () => {
  const checked = await Promise.all(ballots.map((b) => pool.check(election, b.text)));
  expect(checked).toEqual(
    ballots.map((b) => {
      const core = checkBallot(election, b.text);
      if (!core.ok) throw new Error(core.reason);
      return { ok: true, tracker: core.tracker, credential: String(core.ballot.credential) };
    }),
  );
});

test('the threads refuse what the core refuses, with its reason', async () => {
  const parsed = JSON.parse(ballots[0]!.text) as { answers: Array<{ choices: Array<{ alpha: string }> }> };
  // The first ciphertext swapped with the second: the text is still well formed, its proofs are not.
  const [a, b] = parsed.answers[0]!.choices;
  parsed.answers[0]!.choices[0] = b!;
  parsed.answers[0]!.choices[1] = a!;
  const tampered = JSON.stringify(parsed);
  const core = checkBallot(election, tampered);
  expect(core.ok).toBe(false);
  expect(await pool.check(election, tampered)).toEqual({ ok: false, reason: (core as { reason: string }).reason });
  expect(await pool.check(election, 'not a ballot')).toEqual({
    ok: false,
    reason: (checkBallot(election, 'not a ballot') as { reason: string }).reason,
  });
});

test('the event loop runs while the threads check', async () => {
  const order: string[] = [];
  const checking = Promise.all(ballots.map((b) => pool.check(election, b.text))).then(() => order.push('checked'));
  // Scheduled after the checks were handed over: it runs first only if they are not on this thread.
  setImmediate(() => order.push('event loop'));
  await checking;
  expect(order).toEqual(['event loop', 'checked']);
  expect(threadId).toBe(0);
});

test('with BALLOT_CHECKERS=0 the check runs on the event loop, as before the pool', async () => {
  const inline = new BallotCheckers(0);
  const order: string[] = [];
  const checking = inline.check(election, ballots[0]!.text).then((r) => order.push(r.ok ? 'checked' : 'refused'));
  setImmediate(() => order.push('event loop'));
  await checking;
  expect(order).toEqual(['checked']);
  await new Promise((resolve) => setImmediate(resolve));
  expect(order).toEqual(['checked', 'event loop']);
});

test('a thread that stops fails its own ballots, and the next ballot starts another', async () => {
  const first = pool.check(election, ballots[0]!.text);
  // The pool's threads, reached as the pool holds them (a stand-in for a thread that crashes).
  const threads = (pool as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } } | undefined> })
    .threads;
  await threads[0]!.worker.terminate();
  await expect(first).rejects.toThrow(/ballot checker stopped/);
  expect(await pool.check(election, ballots[1]!.text)).toMatchObject({ ok: true, tracker: ballots[1]!.tracker });
});

test('BALLOT_CHECKERS: auto shares the CPUs among the web processes, a number is taken, anything else is refused naming it', () => {
  const cpus = availableParallelism();
  expect(loadConfig({}).ballotCheckers).toBe(cpus);
  expect(loadConfig({ WEB_PROCESSES: '2' }).ballotCheckers).toBe(Math.max(1, Math.floor(cpus / 2)));
  expect(loadConfig({ WEB_PROCESSES: String(cpus * 2) }).ballotCheckers).toBe(1);
  expect(loadConfig({ BALLOT_CHECKERS: '0' }).ballotCheckers).toBe(0);
  expect(loadConfig({ BALLOT_CHECKERS: '3' }).ballotCheckers).toBe(3);
  expect(() => loadConfig({ BALLOT_CHECKERS: 'many' })).toThrow(/BALLOT_CHECKERS: must be a whole number from 0 to 64/);
  expect(() => loadConfig({ BALLOT_CHECKERS: '65' })).toThrow(/BALLOT_CHECKERS/);
});

test("a shuffle's proofs: the threads answer what the core answers, the whole-list proof and the pool proofs on different threads", async () => {
  const checking = Promise.all([
    pool.checkShuffleProofs(election, whole),
    pool.checkShuffleProofs(election, poolChecks),
  ]);
  // Handed over at once: the whole-list proof (6 ballots) to one thread, both pools' (3 each) to the other.
  expect(threadsOf(pool).map((t) => [t!.inFlight.size, t!.load])).toEqual([
    [1, 6],
    [2, 6],
  ]);
  expect(await checking).toEqual([[true], [true, true]]);
  expect(onThisThread([...whole, ...poolChecks])).toEqual([true, true, true]);
  expect(threadsOf(pool).map((t) => t!.load)).toEqual([0, 0]);
});

test('a proof of shuffle that fails in a thread fails as in the core, and names the same pool', async () => {
  // Pool B's range checked against pool A's proof, and the whole list against a reversed one.
  const wrongPools = [poolChecks[0]!, { ...poolChecks[1]!, proof: poolChecks[0]!.proof }];
  const wrongWhole = [{ ...whole[0]!, after: [...whole[0]!.after].reverse() }];
  const [w, p] = await Promise.all([
    pool.checkShuffleProofs(election, wrongWhole),
    pool.checkShuffleProofs(election, wrongPools),
  ]);
  expect(w).toEqual(onThisThread(wrongWhole));
  expect(w).toEqual([false]);
  expect(p).toEqual(onThisThread(wrongPools));
  const steps = poolSteps.map((s, i) => ({ ...s, check: wrongPools[i]! }));
  expect(firstProblem(steps, (_, i) => p[i]!)).toBe(
    'ranked question 1: the proof of pool "B" fails: its range (places 4 to 6) is not a shuffle of its ballots before',
  );
  expect(firstProblem(steps, (c) => checkShuffleProof(election, c.before, c.after, c.proof))).toBe(
    firstProblem(steps, (_, i) => p[i]!),
  );
});

test("the event loop runs while the threads check a shuffle's proofs", async () => {
  const order: string[] = [];
  const checking = Promise.all([
    pool.checkShuffleProofs(election, whole),
    pool.checkShuffleProofs(election, poolChecks),
  ]).then(() => order.push('checked'));
  setImmediate(() => order.push('event loop'));
  await checking;
  expect(order).toEqual(['event loop', 'checked']);
});

test("with BALLOT_CHECKERS=0 a shuffle's proofs are checked on the event loop, with the same answers", async () => {
  const inline = new BallotCheckers(0);
  const order: string[] = [];
  const checking = inline.checkShuffleProofs(election, [...whole, ...poolChecks]).then((r) => {
    order.push('checked');
    return r;
  });
  setImmediate(() => order.push('event loop'));
  expect(await checking).toEqual([true, true, true]);
  expect(order).toEqual(['checked']);
  await new Promise((resolve) => setImmediate(resolve));
  expect(order).toEqual(['checked', 'event loop']);
});

test('a thread that stops fails its own proofs of shuffle only; the next job starts another', async () => {
  const wholeChecked = pool.checkShuffleProofs(election, whole);
  const poolsChecked = pool.checkShuffleProofs(election, poolChecks);
  await threadsOf(pool)[0]!.worker.terminate();
  await expect(wholeChecked).rejects.toThrow(/ballot checker stopped/);
  expect(await poolsChecked).toEqual([true, true]);
  expect(await pool.checkShuffleProofs(election, whole)).toEqual([true]);
});

import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import { checkBallot, encryptBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken } from '@omov/core/crypto/credential';
import { makeElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { generateTrusteeKey } from '@omov/core/crypto/trustee';
import { loadConfig } from '../../src/platform/config';
import { BallotCheckers } from '../../src/services/ballot-checkers';
import { G } from '../support/trustees';

/**
 * The pool that checks cast verifiable ballots off the event loop (src/services/ballot-checkers.ts):
 * its threads answer what the core's checkBallot answers, the event loop runs while they
 * check, a thread that dies fails only its own ballots, and BALLOT_CHECKERS sizes it.
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

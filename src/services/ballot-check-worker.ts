import { parentPort } from 'node:worker_threads';
import { checkBallot } from '@omov/core/crypto/ballot';
import { type Election, parseElection } from '@omov/core/crypto/election';
import { checkShuffleProof, type ShuffleCheck } from '@omov/core/crypto/shuffle';
import type { CheckedBallot } from './ballot-checkers';

/**
 * A ballot checker's thread (started by BallotCheckers in ballot-checkers.ts), off the
 * server's event loop: it checks a verifiable ballot's signature and every proof with the
 * core's checkBallot, and answers whether it holds, its tracker and its credential; or one
 * proof of a trustee's shuffle (a question's whole-list proof, or a pool's) with the core's
 * checkShuffleProof, and answers whether it holds. Ciphertexts and proofs come as plain data
 * (their numbers are bigints, which a message carries as they are).
 */

export type CheckJob = { kind: 'ballot'; text: string } | { kind: 'shuffle-proof'; check: ShuffleCheck };
export type ToChecker = { id: number; election: string; job: CheckJob };
export type FromChecker = { id: number; result: CheckedBallot | boolean } | { id: number; failed: string };

const port = parentPort!;
/** Elections parsed here, by their text: a server has few open at once. */
const elections = new Map<string, Election>();
const MAX_ELECTIONS = 16;

function electionOf(raw: string): Election {
  let e = elections.get(raw);
  if (!e) {
    if (elections.size >= MAX_ELECTIONS) elections.delete(elections.keys().next().value!);
    elections.set(raw, (e = parseElection(raw)));
  }
  return e;
}

port.on('message', (m: ToChecker) => {
  let answer: FromChecker;
  try {
    answer = { id: m.id, result: run(electionOf(m.election), m.job) };
  } catch (e) {
    answer = { id: m.id, failed: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(answer);
});

function run(election: Election, job: CheckJob): CheckedBallot | boolean {
  if (job.kind === 'shuffle-proof')
    return checkShuffleProof(election, job.check.before, job.check.after, job.check.proof);
  const checked = checkBallot(election, job.text);
  return checked.ok
    ? { ok: true, tracker: checked.tracker, credential: String(checked.ballot.credential) }
    : { ok: false, reason: checked.reason };
}

import { parentPort } from 'node:worker_threads';
import { checkBallot } from '@omov/core/crypto/ballot';
import { type Election, parseElection } from '@omov/core/crypto/election';
import type { CheckedBallot } from './ballot-checkers';

/**
 * A ballot checker's thread (started by BallotCheckers in ballot-checkers.ts): it checks a
 * verifiable ballot's signature and every proof with the core's checkBallot, off the
 * server's event loop, and answers whether it holds, its tracker and its credential.
 */

export type ToChecker = { id: number; election: string; text: string };
export type FromChecker = { id: number; result: CheckedBallot } | { id: number; failed: string };

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
    const checked = checkBallot(electionOf(m.election), m.text);
    answer = {
      id: m.id,
      result: checked.ok
        ? { ok: true, tracker: checked.tracker, credential: String(checked.ballot.credential) }
        : { ok: false, reason: checked.reason },
    };
  } catch (e) {
    answer = { id: m.id, failed: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(answer);
});

import { parentPort } from 'node:worker_threads';
import { checkBallot } from '../crypto/ballot';
import { type Election, parseElection } from '../crypto/election';
import type { FromBallotThread, ToBallotThread } from './ballot-threads';

/**
 * One of `omov verify`'s ballot threads (started by ballot-threads.ts): checkBallot of each
 * ballot of a batch, answered in order. The election is parsed once, at the first batch.
 */
const port = parentPort!;
let election: { readonly raw: string; readonly parsed: Election } | undefined;

port.on('message', (m: ToBallotThread) => {
  let answer: FromBallotThread;
  try {
    if (election?.raw !== m.election) election = { raw: m.election, parsed: parseElection(m.election) };
    const e = election.parsed;
    answer = { batch: m.batch, results: m.texts.map((text) => checkBallot(e, text)) };
  } catch (err) {
    answer = { batch: m.batch, failed: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(answer);
});

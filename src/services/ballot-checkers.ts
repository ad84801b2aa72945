import type { Worker } from 'node:worker_threads';
import { checkBallot } from '@omov/core/crypto/ballot';
import type { Election } from '@omov/core/crypto/election';
import type { Logger } from '../platform/logger';
import { startWorker } from '../platform/worker';
import type { FromChecker, ToChecker } from './ballot-check-worker';

/** What the check of a verifiable ballot found: its tracker and credential, or why it is refused. */
export type CheckedBallot =
  | { readonly ok: true; readonly tracker: string; readonly credential: string }
  | { readonly ok: false; readonly reason: string };

type Thread = { worker: Worker; inFlight: Map<number, (r: FromChecker | Error) => void> };

/**
 * The pool of threads that check cast verifiable ballots (BALLOT_CHECKERS, one per CPU by
 * default). A ballot's signature and proofs cost about 35 ms of CPU; on the event loop,
 * every other request would wait behind them, and one process would check on one core. Each
 * ballot goes to the thread with the fewest in hand. The threads start with the first
 * ballot (a server with no verifiable ballot starts none), do not keep the process alive,
 * and a thread that dies fails only the ballots it held: the next ballot starts another.
 * With a size of 0, ballots are checked on the event loop, as before the pool.
 */
export class BallotCheckers {
  private readonly threads: Array<Thread | undefined>;
  private nextId = 0;

  constructor(
    readonly size: number,
    private readonly log?: Logger,
  ) {
    this.threads = Array.from({ length: size }, () => undefined);
  }

  async check(election: Election, text: string): Promise<CheckedBallot> {
    if (this.size === 0) return inline(election, text);
    const thread = this.leastBusy();
    const id = this.nextId++;
    const answer = await new Promise<FromChecker | Error>((resolve) => {
      thread.inFlight.set(id, resolve);
      thread.worker.postMessage({ id, election: election.raw, text } satisfies ToChecker);
    });
    if (answer instanceof Error) throw answer;
    if ('failed' in answer) throw new Error(`the ballot checker failed: ${answer.failed}`);
    return answer.result;
  }

  /** Stops every thread; ballots in hand fail. */
  async close(): Promise<void> {
    await Promise.all(
      this.threads.map(async (t, i) => {
        this.threads[i] = undefined;
        if (t) await this.stop(t, new Error('the server is stopping'));
      }),
    );
  }

  private leastBusy(): Thread {
    let best = -1;
    for (let i = 0; i < this.size; i++) {
      const t = this.threads[i];
      if (!t) return (this.threads[i] = this.start(i));
      if (best < 0 || t.inFlight.size < this.threads[best]!.inFlight.size) best = i;
    }
    return this.threads[best]!;
  }

  private start(slot: number): Thread {
    const worker = startWorker(__dirname, 'ballot-check-worker');
    const thread: Thread = { worker, inFlight: new Map() };
    worker.unref();
    worker.on('message', (m: FromChecker) => {
      const resolve = thread.inFlight.get(m.id);
      thread.inFlight.delete(m.id);
      resolve?.(m);
    });
    const lost = (err: Error) => {
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
      this.log?.warn({ err: err.message }, 'a ballot checker thread stopped');
      void this.stop(thread, err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the ballot checker stopped (exit code ${code})`)));
    return thread;
  }

  private async stop(thread: Thread, err: Error): Promise<void> {
    thread.worker.removeAllListeners();
    for (const resolve of thread.inFlight.values()) resolve(err);
    thread.inFlight.clear();
    await thread.worker.terminate();
  }
}

function inline(election: Election, text: string): CheckedBallot {
  const checked = checkBallot(election, text);
  return checked.ok
    ? { ok: true, tracker: checked.tracker, credential: String(checked.ballot.credential) }
    : { ok: false, reason: checked.reason };
}

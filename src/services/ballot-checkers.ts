import type { Worker } from 'node:worker_threads';
import { checkBallot } from '@omov/core/crypto/ballot';
import type { Election } from '@omov/core/crypto/election';
import { checkShuffleProof, type ShuffleCheck } from '@omov/core/crypto/shuffle';
import type { Logger } from '../platform/logger';
import { startWorker } from '../platform/worker';
import type { CheckJob, FromChecker, ToChecker } from './ballot-check-worker';

/** What the check of a verifiable ballot found: its tracker and credential, or why it is refused. */
export type CheckedBallot =
  | { readonly ok: true; readonly tracker: string; readonly credential: string }
  | { readonly ok: false; readonly reason: string };

type Job = { resolve: (r: FromChecker | Error) => void; load: number };
type Thread = { worker: Worker; inFlight: Map<number, Job>; load: number };

/**
 * The pool of threads that check cast verifiable ballots and trustees' proofs of shuffle
 * (BALLOT_CHECKERS, one per CPU by default). A ballot's signature and proofs cost about 35 ms
 * of CPU, a proof of shuffle tens of ms per ballot shuffled; on the event loop, every other
 * request would wait behind them (minutes, for a large ballot's shuffle), and one process
 * would check on one core. Each job goes to the thread with the least in hand, counted in
 * ballots (a ballot is one, a proof of shuffle as many as it shuffles), so that a shuffle's
 * whole-list proof and its pool proofs run on different threads. The threads start with the
 * first job (a server with no verifiable ballot starts none), do not keep the process alive,
 * and a thread that dies fails only the jobs it held: the next job starts another. With a
 * size of 0, everything is checked on the event loop, as before the pool.
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

  /** A cast ballot's signature and proofs (the core's checkBallot). */
  async check(election: Election, text: string): Promise<CheckedBallot> {
    if (this.size === 0) return inline(election, text);
    const result = await this.run(election, { kind: 'ballot', text }, 1);
    if (typeof result === 'boolean') throw new Error('the ballot checker answered a ballot with a proof of shuffle');
    return result;
  }

  /**
   * Whether each proof of shuffle holds (the core's checkShuffleProof), in their order; each
   * is a job of its own, so that they spread over the threads.
   */
  async checkShuffleProofs(election: Election, checks: ReadonlyArray<ShuffleCheck>): Promise<boolean[]> {
    if (this.size === 0) return checks.map((c) => checkShuffleProof(election, c.before, c.after, c.proof));
    return Promise.all(
      checks.map(async (check) => {
        const result = await this.run(election, { kind: 'shuffle-proof', check }, Math.max(1, check.before.length));
        if (typeof result !== 'boolean')
          throw new Error('the ballot checker answered a proof of shuffle with a ballot');
        return result;
      }),
    );
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

  private async run(election: Election, job: CheckJob, load: number): Promise<CheckedBallot | boolean> {
    const thread = this.leastBusy();
    const id = this.nextId++;
    const answer = await new Promise<FromChecker | Error>((resolve) => {
      thread.inFlight.set(id, { resolve, load });
      thread.load += load;
      thread.worker.postMessage({ id, election: election.raw, job } satisfies ToChecker);
    });
    if (answer instanceof Error) throw answer;
    if ('failed' in answer) throw new Error(`the ballot checker failed: ${answer.failed}`);
    return answer.result;
  }

  private leastBusy(): Thread {
    let best = -1;
    for (let i = 0; i < this.size; i++) {
      const t = this.threads[i];
      if (!t) return (this.threads[i] = this.start(i));
      if (best < 0 || t.load < this.threads[best]!.load) best = i;
    }
    return this.threads[best]!;
  }

  private start(slot: number): Thread {
    const worker = startWorker(__dirname, 'ballot-check-worker');
    const thread: Thread = { worker, inFlight: new Map(), load: 0 };
    worker.unref();
    worker.on('message', (m: FromChecker) => {
      const job = thread.inFlight.get(m.id);
      if (!job) return;
      thread.inFlight.delete(m.id);
      thread.load -= job.load;
      job.resolve(m);
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
    for (const job of thread.inFlight.values()) job.resolve(err);
    thread.inFlight.clear();
    thread.load = 0;
    await thread.worker.terminate();
  }
}

function inline(election: Election, text: string): CheckedBallot {
  const checked = checkBallot(election, text);
  return checked.ok
    ? { ok: true, tracker: checked.tracker, credential: String(checked.ballot.credential) }
    : { ok: false, reason: checked.reason };
}

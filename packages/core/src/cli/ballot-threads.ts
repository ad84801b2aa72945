import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { type BallotCheck, checkBallot } from '../crypto/ballot';
import type { BallotsChecker, BallotsToCheck } from '../crypto/verify-archive';
import { startWorker } from './worker';

/**
 * `omov verify`'s threads for a Belenios archive's ballots: each ballot's signature and proofs
 * (checkBallot, about 40 ms of CPU each, nine tenths of a verify) are independent of the
 * others, so they are spread over `jobs` threads: the main thread and jobs − 1 worker threads
 * (each worker costs about half a second of CPU to start: the core's modules, OpenSSL's check
 * of the group's prime, the fixed-base tables). They take the ballots in batches, each the
 * next batch as it finishes one. The results come back in the ballots' order, so
 * verifyArchiveWith names the same bad ballot as verifyArchive. The workers start when made,
 * so that they load while the main thread checks the archive's files, chain and setup;
 * close() stops them.
 */
export type ToBallotThread = { batch: number; election: string; texts: ReadonlyArray<string> };
export type FromBallotThread = { batch: number; results: BallotCheck[] } | { batch: number; failed: string };

/** The default for --jobs: every core. */
export const defaultJobs = (): number => os.availableParallelism();

/** Batches per thread: small enough that no thread waits long for the slowest, large enough that messages cost nothing. */
const BATCHES_PER_THREAD = 4;
/** Batches a worker holds: the next is in hand while the main thread, busy with its own batch, cannot answer. */
const BATCHES_IN_HAND = 2;

export class BallotThreads {
  private readonly workers: Worker[];
  /** Why a worker stopped between checks (it cannot load, say), told at the next check. */
  private stopped: Error | undefined;

  constructor(readonly jobs: number) {
    this.workers = Array.from({ length: Math.max(0, jobs - 1) }, () => {
      const w = startWorker(__dirname, 'ballot-thread');
      w.unref();
      w.on('error', (err) => (this.stopped ??= err));
      return w;
    });
  }

  /** The checker for verifyArchiveWith. */
  readonly check: BallotsChecker = (ballots) => this.checkAll(ballots);

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private checkAll({ election, texts }: BallotsToCheck): Promise<BallotCheck[]> {
    const size = Math.max(1, Math.ceil(texts.length / (this.jobs * BATCHES_PER_THREAD)));
    const batches = Math.ceil(texts.length / size);
    const results: BallotCheck[] = new Array<BallotCheck>(texts.length);
    let next = 0;
    let answered = 0;
    let over = false;
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new Error(`a ballot thread stopped: ${this.stopped.message}`));
      const cleanups: Array<() => void> = [];
      const finish = (err?: Error) => {
        if (over) return;
        over = true;
        for (const c of cleanups) c();
        if (err) reject(err);
        else resolve(results);
      };
      const answer = (batch: number, checked: ReadonlyArray<BallotCheck>) => {
        results.splice(batch * size, checked.length, ...checked);
        if (++answered === batches) finish();
      };
      const send = (w: Worker) => {
        if (next >= batches) return;
        const batch = next++;
        w.postMessage({
          batch,
          election: election.raw,
          texts: texts.slice(batch * size, (batch + 1) * size),
        } satisfies ToBallotThread);
      };
      for (const w of this.workers) {
        const onMessage = (m: FromBallotThread) => {
          if ('failed' in m) return finish(new Error(`a ballot thread failed: ${m.failed}`));
          answer(m.batch, m.results);
          send(w);
        };
        const onError = (err: Error) => finish(err);
        const onExit = (code: number) => finish(new Error(`a ballot thread stopped (exit code ${code})`));
        w.on('message', onMessage).on('error', onError).on('exit', onExit);
        // A worker with no batch in hand must not hold the process open.
        w.ref();
        cleanups.push(() => {
          w.off('message', onMessage).off('error', onError).off('exit', onExit);
          w.unref();
        });
        for (let i = 0; i < BATCHES_IN_HAND; i++) send(w);
      }
      // The main thread's share: a batch at a time, the workers' answers taken between batches.
      const mine = () => {
        if (over || next >= batches) return;
        const batch = next++;
        try {
          answer(
            batch,
            texts.slice(batch * size, (batch + 1) * size).map((text) => checkBallot(election, text)),
          );
        } catch (err) {
          return finish(err as Error);
        }
        setImmediate(mine);
      };
      if (batches === 0) finish();
      else setImmediate(mine);
    });
  }
}

import type { Worker } from 'node:worker_threads';
import { startWorker } from '../platform/worker';
import type { FromCloseWorker, ToCloseWorker } from './close-worker';

/**
 * The main thread's side of a close's worker thread (close-worker.ts): one thread per close
 * (or per first count of a ballot closed before results were stored), started with it and
 * stopped when it ends, whether it succeeded or failed, so that nothing of a failed close
 * keeps running. Papers and votes are posted without an answer; each request waits for its
 * one answer, while the event loop serves other requests. A failure of the thread (an
 * error, an exit) is the failure of the request in hand, and so of the close: the
 * transaction rolls back.
 */
export class CloseThread {
  /**
   * Threads started and not yet stopped, and how many are opening a box (decrypting,
   * reconciling, ordering) or counting at this moment: for tests and benchmarks.
   */
  static readonly running = { threads: 0, opening: 0, counting: 0 };

  private readonly inbox: FromCloseWorker[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromCloseWorker) => {
      this.inbox.push(m);
      this.wake?.();
    });
    worker.on('error', (e) => {
      this.failure ??= new Error(`the close's worker thread failed: ${e.message}`);
      this.wake?.();
    });
    worker.on('exit', (code) => {
      this.failure ??= new Error(`the close's worker thread stopped (exit code ${code})`);
      this.wake?.();
    });
  }

  static start(): CloseThread {
    const t = new CloseThread(startWorker(__dirname, 'close-worker'));
    CloseThread.running.threads++;
    return t;
  }

  /** Sends what needs no answer (papers, votes); throws if the thread has failed already. */
  post(m: ToCloseWorker): void {
    this.throwIfFailed();
    this.worker.postMessage(m);
  }

  /** Sends a request and waits for its answer (a `failed` answer is thrown). */
  async request(m: ToCloseWorker): Promise<FromCloseWorker> {
    this.post(m);
    const busy = 'reconcile' in m ? 'opening' : 'count' in m ? 'counting' : undefined;
    if (busy) CloseThread.running[busy]++;
    try {
      for (;;) {
        const answer = this.inbox.shift();
        if (answer) {
          if ('failed' in answer) throw new Error(`the close's worker thread failed: ${answer.failed}`);
          return answer;
        }
        this.throwIfFailed();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      if (busy) CloseThread.running[busy]--;
    }
  }

  /** Stops the thread (at once: work in hand is dropped). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.removeAllListeners();
    try {
      await this.worker.terminate();
    } finally {
      CloseThread.running.threads--;
    }
  }

  private throwIfFailed(): void {
    if (this.stopped) throw new Error("the close's worker thread was stopped");
    if (this.failure) throw this.failure;
  }
}

import * as outbox from '../data/outbox';
import type { AppContext } from '../services/context';
import { composeMessage } from '../services/invitations';
import type { Mailer } from '../mail/transport';

export type MailWorkerOptions = {
  batchSize?: number;
  /** How long a claimed message is ours before another instance may take it. */
  leaseSeconds?: number;
  pollMs?: number;
  /** First retry delay; doubled each attempt, up to an hour. */
  retryBaseSeconds?: number;
  maxAttempts?: number;
};

/**
 * Sends what the durable outbox holds. Each instance runs one; they share the queue
 * through SKIP LOCKED, so a message is sent by one instance at a time.
 */
export class MailWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly o: Required<MailWorkerOptions>;

  constructor(
    private readonly ctx: AppContext,
    private readonly mailer: Mailer,
    opts: MailWorkerOptions = {},
  ) {
    this.o = { batchSize: 20, leaseSeconds: 120, pollMs: 1000, retryBaseSeconds: 30, maxAttempts: 8, ...opts };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Look at the queue now rather than at the next poll. */
  kick(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.o.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Sends batches until nothing is due. Returns how many messages were handled. */
  async drain(): Promise<number> {
    let handled = 0;
    while (!this.stopped) {
      let batch: outbox.ClaimedMessage[];
      try {
        batch = await outbox.claimDue(this.ctx.db, this.o.batchSize, this.o.leaseSeconds);
      } catch (err) {
        this.ctx.log.warn({ err: (err as Error).message }, 'mail queue not reachable');
        return handled;
      }
      if (!batch.length) return handled;
      await Promise.all(batch.map((m) => this.deliver(m)));
      handled += batch.length;
    }
    return handled;
  }

  private async deliver(m: outbox.ClaimedMessage): Promise<void> {
    try {
      const mail = composeMessage(this.ctx, m);
      await this.mailer.send(mail);
      await outbox.markSent(this.ctx.db, m.id);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (m.attempts >= this.o.maxAttempts) {
        await outbox.markFailed(this.ctx.db, m.id, reason).catch(() => undefined);
        this.ctx.log.error({ messageId: m.id, kind: m.kind, attempts: m.attempts }, 'mail failed for good');
      } else {
        const delay = Math.min(3600, this.o.retryBaseSeconds * 2 ** (m.attempts - 1));
        await outbox.markRetry(this.ctx.db, m.id, delay, reason).catch(() => undefined);
        this.ctx.log.warn(
          { messageId: m.id, kind: m.kind, attempts: m.attempts, retryInSeconds: delay },
          'mail not sent, will retry',
        );
      }
    }
  }
}

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
 *
 * Exactly once, across a database restart: just before the mail server can accept a
 * message (before the end of SMTP's DATA), its row is marked 'handed' in a short
 * transaction of its own; if that fails, the message is not delivered and is sent later.
 * Once handed over, a message is never sent again: the server's answer is recorded when
 * the database answers (kept in memory meanwhile), and a handed row whose sender died is
 * settled as sent when its lease runs out. docs/security.md says which rare cases remain.
 */
export class MailWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly o: Required<MailWorkerOptions>;
  /** Outcomes of handed-over messages not yet recorded, because the database did not answer. */
  private readonly unrecorded = new Map<string, () => Promise<void>>();

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
    await this.recordOutcomes().catch(() => undefined);
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
        // Our own outcomes first: a settled row must not overrule what we know.
        await this.recordOutcomes();
        await outbox.settleHandedOver(this.ctx.db);
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

  /** Records the outcomes kept while the database was away; stops at the first that fails. */
  private async recordOutcomes(): Promise<void> {
    for (const [id, record] of this.unrecorded) {
      await record();
      this.unrecorded.delete(id);
    }
  }

  /** Records an outcome now, or keeps it until the database answers. */
  private async outcome(id: string, record: () => Promise<void>): Promise<void> {
    try {
      await record();
    } catch {
      this.unrecorded.set(id, record);
    }
  }

  private async deliver(m: outbox.ClaimedMessage): Promise<void> {
    let handed = false;
    try {
      const mail = composeMessage(this.ctx, m);
      await this.mailer.send(mail, async () => {
        if (!(await outbox.markHandedOver(this.ctx.db, m.id, m.attempts, this.o.leaseSeconds))) {
          throw new Error('the claim on this message ran out; another sender has it');
        }
        handed = true;
      });
      await this.outcome(m.id, () => outbox.markSent(this.ctx.db, m.id));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const refused = typeof (err as { responseCode?: unknown }).responseCode === 'number';
      if (handed && !refused) {
        // The connection broke after the hand-over: the server may have the message. Sending it
        // again could deliver it twice, so it counts as sent, with a note.
        this.ctx.log.warn({ messageId: m.id, kind: m.kind }, 'mail handed over, answer lost; counted as sent');
        await this.outcome(m.id, () =>
          outbox.markSent(this.ctx.db, m.id, `handed to the mail server; its answer was lost (${reason})`),
        );
      } else if (m.attempts >= this.o.maxAttempts) {
        await this.outcome(m.id, () => outbox.markFailed(this.ctx.db, m.id, reason));
        this.ctx.log.error({ messageId: m.id, kind: m.kind, attempts: m.attempts }, 'mail failed for good');
      } else {
        const delay = Math.min(3600, this.o.retryBaseSeconds * 2 ** (m.attempts - 1));
        // Not handed over: if this cannot be recorded either, the lease runs out and the message is sent later.
        const retry = () => outbox.markRetry(this.ctx.db, m.id, delay, reason);
        if (handed) await this.outcome(m.id, retry);
        else await retry().catch(() => undefined);
        this.ctx.log.warn(
          { messageId: m.id, kind: m.kind, attempts: m.attempts, retryInSeconds: delay },
          'mail not sent, will retry',
        );
      }
    }
  }
}

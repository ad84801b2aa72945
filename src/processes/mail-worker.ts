import * as outbox from '../data/outbox';
import type { AppContext } from '../services/context';
import { composeMessage } from '../services/invitations';
import { type Mailer, NotDelivered } from '../mail/transport';
import { batchLookups, type Lookup } from '../platform/batch';

export type MailWorkerOptions = {
  /** How many messages one claim takes (fewer when the mailer is rate-limited). */
  batchSize?: number;
  /** How long a claimed message is ours before another instance may take it. */
  leaseSeconds?: number;
  pollMs?: number;
  /** First retry delay; doubled each attempt, up to an hour. */
  retryBaseSeconds?: number;
  maxAttempts?: number;
};

/** Statements that record hand-overs or sendings, at most this many messages each. */
const RECORD_BATCH = 200;

/**
 * Sends what the durable outbox holds. Each instance runs one; they share the queue
 * through SKIP LOCKED, so a message is sent by one instance at a time.
 *
 * At the speed of the mail path: as many messages are on their way at once as the mailer
 * takes (two per SMTP connection), the next claim is made while they go, and the
 * hand-overs and sendings of messages finishing together are each recorded by one
 * statement (see batchLookups), not one per message.
 *
 * Exactly once, across a database restart: before the mail server can accept a message
 * (before the end of SMTP's DATA; the mark is written while the message is on its way and
 * its data waits for it), its row is marked 'handed' in a short transaction of its
 * own; if that fails, the message is not delivered and is sent later.
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
  private readonly handOver: Lookup<true>;
  private readonly sent: Lookup<true>;
  /** Outcomes being recorded: a message's place on the way is free before its mark is written. */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly ctx: AppContext,
    private readonly mailer: Mailer,
    opts: MailWorkerOptions = {},
  ) {
    this.o = { batchSize: 100, leaseSeconds: 120, pollMs: 1000, retryBaseSeconds: 30, maxAttempts: 8, ...opts };
    // Keys are "id attempt": a claim whose lease ran out is missing from the answer.
    this.handOver = batchLookups(
      async (keys) => {
        const claims = keys.map((k) => {
          const [id, attempt] = k.split(' ');
          return { id: id!, attempt: Number(attempt) };
        });
        const handed = await outbox.markHandedOver(this.ctx.db, claims, this.o.leaseSeconds);
        return new Map(claims.filter((c) => handed.has(c.id)).map((c) => [`${c.id} ${c.attempt}`, true as const]));
      },
      { maxInFlight: 1, maxBatch: RECORD_BATCH },
    );
    this.sent = batchLookups(
      async (ids) => {
        await outbox.markSent(this.ctx.db, ids);
        return new Map(ids.map((id) => [id, true as const]));
      },
      { maxInFlight: 1, maxBatch: RECORD_BATCH },
    );
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

  /** How many one claim takes: no more than the mailer can send in a quarter of the lease. */
  private claimSize(): number {
    const rate = this.mailer.ratePerSecond;
    return rate > 0
      ? Math.max(1, Math.min(this.o.batchSize, Math.floor((rate * this.o.leaseSeconds) / 4)))
      : this.o.batchSize;
  }

  /** Claims the next messages; none when nothing is due or the queue is not reachable. */
  private async claim(): Promise<outbox.ClaimedMessage[]> {
    try {
      // Our own outcomes first: a settled row must not overrule what we know.
      await this.recordOutcomes();
      await outbox.settleHandedOver(this.ctx.db);
      return await outbox.claimDue(this.ctx.db, this.claimSize(), this.o.leaseSeconds);
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'mail queue not reachable');
      return [];
    }
  }

  /**
   * Sends until nothing is due, keeping the mailer's worth of messages on their way and
   * claiming the next batch while they go. Returns how many messages were handled.
   */
  async drain(): Promise<number> {
    const window = Math.max(1, this.mailer.concurrency);
    const inFlight = new Set<Promise<void>>();
    const ready: outbox.ClaimedMessage[] = [];
    let claiming: Promise<void> | undefined;
    let exhausted = false;
    let handled = 0;
    for (;;) {
      while (!this.stopped && ready.length && inFlight.size < window) {
        const p: Promise<void> = this.deliver(ready.shift()!).finally(() => inFlight.delete(p));
        inFlight.add(p);
        handled++;
      }
      if (!this.stopped && !exhausted && !claiming && ready.length < window) {
        claiming = this.claim().then((batch) => {
          if (batch.length) ready.push(...batch);
          else exhausted = true;
          claiming = undefined;
        });
      }
      const waits = [...inFlight, ...(claiming ? [claiming] : [])];
      if (!waits.length) break;
      await Promise.race(waits);
    }
    await Promise.all(this.recording);
    // Claimed but never started (the worker is stopping): due again at once, for whoever is next.
    if (ready.length)
      await outbox
        .releaseClaims(
          this.ctx.db,
          ready.splice(0).map((m) => m.id),
        )
        .catch(() => undefined);
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
        if (!(await this.handOver(`${m.id} ${m.attempts}`))) {
          throw new Error('the claim on this message ran out; another sender has it');
        }
        handed = true;
      });
      // Not waited for here: the next message takes this one's place at once, and the marks of
      // messages finishing meanwhile go together in the next statement. drain waits for them.
      const p: Promise<void> = this.outcome(m.id, async () => {
        await this.sent(m.id);
      }).finally(() => this.recording.delete(p));
      this.recording.add(p);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const refused = typeof (err as { responseCode?: unknown }).responseCode === 'number';
      if (handed && !refused && !(err instanceof NotDelivered)) {
        // The connection broke after the last byte left: the server may have the message.
        // Sending it again could deliver it twice, so it counts as sent, with a note.
        this.ctx.log.warn({ messageId: m.id, kind: m.kind }, 'mail handed over, answer lost; counted as sent');
        await this.outcome(m.id, () =>
          outbox.markSent(this.ctx.db, [m.id], `handed to the mail server; its answer was lost (${reason})`),
        );
      } else if (m.attempts >= this.o.maxAttempts) {
        await this.outcome(m.id, () => outbox.markFailed(this.ctx.db, m.id, reason));
        this.ctx.log.error({ messageId: m.id, kind: m.kind, attempts: m.attempts }, 'mail failed for good');
      } else {
        const delay = Math.min(3600, this.o.retryBaseSeconds * 2 ** (m.attempts - 1));
        // Not handed over: if this cannot be recorded either, the lease runs out and the message
        // is sent later. Handed over but surely not delivered (refused, or failed before its
        // last byte): the retry must be recorded, or the row would be settled as sent.
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

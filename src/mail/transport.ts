import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';

/** `messageId`: set by the queue, so that a provider's bounce report can name the message. */
export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId?: string;
  /** Where replies go: a ballot's contact address. */
  replyTo?: string;
};

/**
 * Must have succeeded before the message is committed: before the end of SMTP's DATA, or
 * before the outbox file takes its name. If it throws, nothing is delivered. The queue
 * records the hand-over here, so that a restart never sends a message twice. The SMTP
 * mailer starts it as the message sets out, so that its round trip to the database
 * overlaps the message's own to the mail server, and waits for it before the message's data.
 */
export type HandOver = () => Promise<void>;

/**
 * The message certainly did not reach its destination: it failed before its last byte left
 * (or before its file took its name). A message handed over that fails so can go again.
 */
export class NotDelivered extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'NotDelivered';
  }
}

export interface Mailer {
  /** Rejects with NotDelivered when the message surely did not arrive; with the transport's error when it may have. */
  send(mail: OutgoingMail, handOver?: HandOver): Promise<void>;
  close(): void;
  /** How many messages it usefully takes at once (the sender keeps that many on their way). */
  readonly concurrency: number;
  /** Messages per second it may send (0: no limit), so that the sender claims no more than it can send soon. */
  readonly ratePerSecond: number;
  /** Where messages go, for the start-up banner (never includes credentials). */
  readonly describe: string;
}

/** The whole message as it goes on the wire (MIME, with its Message-ID). */
function composer(from: string): (m: OutgoingMail) => Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return async (m) => (await transport.sendMail({ from, ...m })).message as Buffer;
}

/**
 * Holds the message back until `handedOver` has settled, then passes it on whole, as one
 * chunk (and loses it if the hand-over fails: the stream fails, and the server never sees the
 * end of DATA). One chunk, one write to the connection: the composer's many small chunks would
 * each cost a write of their own (a system call; a third of the sender's time in profiles).
 * Messages are small (an invitation is a few kB), and at most the mailer's concurrency of
 * them wait here. `released` runs as the message goes.
 */
function holdingBack(handedOver: Promise<void>, released: () => void): Transform {
  const held: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (chunk.length) held.push(chunk);
      done();
    },
    flush(done) {
      handedOver.then(
        () => {
          released();
          done(null, Buffer.concat(held));
        },
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
}

/** The field of a message's options that carries its hand-over to the 'stream' step below. */
const HAND_OVER = 'omovHandOver';
type HeldBack = { handedOver: Promise<void>; released: () => void };

export type SmtpLimits = { connections: number; messagesPerConnection: number; ratePerSecond: number };

const DEFAULT_LIMITS: SmtpLimits = { connections: 4, messagesPerConnection: 1000, ratePerSecond: 0 };

/** nodemailer's pooled SMTP transport, within the provider's limits. */
export function smtpMailer(smtpUrl: string, from: string, limits: SmtpLimits = DEFAULT_LIMITS): Mailer {
  const u = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: limits.connections,
    maxMessages: limits.messagesPerConnection,
    ...(limits.ratePerSecond > 0 ? { rateDelta: 1000, rateLimit: limits.ratePerSecond } : {}),
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
    secure: u.protocol === 'smtps:',
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  // Each message is composed once, by the pool's own sendMail (as nodemailer alone would),
  // and its finished bytes pass through the hold-back on their way to the connection.
  transport.use('stream', (mail, done) => {
    const hold = (mail.data as Record<string, unknown>)[HAND_OVER] as HeldBack | undefined;
    if (hold)
      mail.message.processFunc((input) => {
        const output = holdingBack(hold.handedOver, hold.released);
        input.once('error', (err) => output.destroy(err));
        return input.pipe(output);
      });
    done();
  });
  return {
    // Two per connection: the next message is ready when a connection comes free.
    concurrency: limits.connections * 2,
    ratePerSecond: limits.ratePerSecond,
    describe: `SMTP ${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`,
    async send(m, handOver) {
      // Where the server offers DSN (RFC 3461), the message's id travels as its envelope id:
      // a bounce then names the message even if it returns none of its headers.
      const dsn = m.messageId
        ? {
            dsn: {
              id: m.messageId,
              return: 'headers' as const,
              notify: ['failure' as const, 'delay' as const],
              recipient: m.to,
            },
          }
        : {};
      // The hand-over starts now, while the message waits for a connection and goes through
      // the SMTP dialogue; only its data waits for it.
      let last = false;
      const handedOver = handOver?.();
      handedOver?.catch(() => undefined);
      const options: SendMailOptions & { [HAND_OVER]?: HeldBack } = {
        from,
        ...m,
        ...dsn,
        ...(handedOver ? { [HAND_OVER]: { handedOver, released: () => (last = true) } } : {}),
      };
      try {
        await transport.sendMail(options);
      } catch (err) {
        // Whatever became of it, the hand-over is over before the caller hears of the failure.
        await handedOver?.catch(() => undefined);
        throw last ? err : new NotDelivered(err);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** Development default: every message written as an .eml file to the outbox folder. */
export function folderMailer(dir: string, from: string): Mailer {
  const compose = composer(from);
  return {
    concurrency: 8,
    ratePerSecond: 0,
    describe: `the outbox folder ${dir}`,
    async send(m, handOver) {
      const message = await compose(m);
      await fs.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`;
      // Written under a name the outbox does not list, then renamed: a failed write (a full
      // disk) leaves no half message behind.
      const partial = path.join(dir, `.${name}.part`);
      try {
        await fs.writeFile(partial, message, { mode: 0o600 });
        await handOver?.();
        await fs.rename(partial, path.join(dir, name));
      } catch (err) {
        await fs.rm(partial, { force: true });
        throw new NotDelivered(err);
      }
    },
    close() {
      /* nothing held open */
    },
  };
}

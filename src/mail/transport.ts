import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

/** `messageId`: set by the queue, so that a provider's bounce report can name the message. */
export type OutgoingMail = { to: string; subject: string; text: string; html: string; messageId?: string };

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
  /** Where messages go, for the start-up banner (never includes credentials). */
  readonly describe: string;
}

/** nodemailer's pooled SMTP transport. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const u = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 4,
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
    secure: u.protocol === 'smtps:',
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    describe: `SMTP ${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`,
    async send(m) {
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
      await transport.sendMail({ from, ...m, ...dsn });
    },
    close() {
      transport.close();
    },
  };
}

/** Development default: every message written as an .eml file to the outbox folder. */
export function folderMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    describe: `the outbox folder ${dir}`,
    async send(m) {
      const info = await transport.sendMail({ from, ...m });
      await fs.mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`;
      await fs.writeFile(path.join(dir, name), info.message as Buffer, { mode: 0o600 });
    },
    close() {
      transport.close();
    },
  };
}

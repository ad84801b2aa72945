import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** envelopeId: the ENVID the sender gave (RFC 3461), which a bounce would carry back. */
export type ReceivedMail = { from: string; to: string[]; raw: string; envelopeId: string | undefined };

/** A real SMTP server on loopback that keeps what it receives. */
export async function startSmtpSink(opts: { port?: number } = {}) {
  const received: ReceivedMail[] = [];
  let refuse = false;
  let refused = 0;
  // SMTP sessions: how many were opened, and the most open at once.
  let open = 0;
  let sessions = 0;
  let peakSessions = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Offer DSN (RFC 3461) as most mail servers do; smtp-server hides it unless told.
    hideDSN: false,
    logger: false,
    onConnect(_session, callback) {
      sessions++;
      peakSessions = Math.max(peakSessions, ++open);
      callback();
    },
    onClose() {
      open--;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse) {
          refused++;
          return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 451 }));
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          envelopeId: (session.envelope as { dsn?: { envid?: string | null } }).dsn?.envid ?? undefined,
        });
        callback();
      });
    },
  });
  // Port 0 lets the system choose at the moment of listening: a port found free beforehand can be taken
  // meanwhile (by the source port of any outgoing connection), and listening on it then fails.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Accept connections but refuse each message with a temporary error. */
    setRefusing(v: boolean) {
      refuse = v;
    },
    /** How many SMTP sessions were opened so far, and the most at once. */
    get sessions() {
      return { opened: sessions, peak: peakSessions };
    },
    /** How many messages were refused so far. */
    get refused() {
      return refused;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;

/** The voting link in a received message (from its plain-text part); `under` 'p' for a proposals link. */
export function linkIn(raw: string, under: 'v' | 'p' = 'v'): string {
  const unfolded = raw.replace(/=\r?\n/g, '');
  const m = new RegExp(`https?://[^\\s"<>]+/${under}/[A-Za-z0-9_-]{43}`).exec(unfolded);
  if (!m) throw new Error(`no ${under === 'v' ? 'voting' : 'proposals'} link in the message`);
  return m[0];
}

// Mail arrives when the worker gets to it: the tests wait for it with the one condition wait.
export { waitFor } from './machine';

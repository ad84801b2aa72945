import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

/**
 * The SMTP sink of bench/send.ts, in a thread of its own so that receiving does not take
 * turns with the sender on one event loop. It accepts everything, keeps nothing, and counts
 * whole messages in a shared counter the benchmark reads without asking.
 */
export type SinkJob = { port: number; counter: SharedArrayBuffer };

const job = workerData as SinkJob;
const received = new Int32Array(job.counter);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  // Offer DSN as most mail servers do, so that the sender's envelope id is on the wire too.
  hideDSN: false,
  logger: false,
  onData(stream, _session, callback) {
    stream.resume();
    stream.on('end', () => {
      Atomics.add(received, 0, 1);
      callback();
    });
  },
});
server.listen(job.port, '127.0.0.1', () => parentPort!.postMessage('listening'));
parentPort!.on('message', (m) => {
  if (m === 'close') server.close(() => process.exit(0));
});

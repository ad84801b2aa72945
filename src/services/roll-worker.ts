import './roll-worker-priority';
import { parentPort, workerData } from 'node:worker_threads';
import type { StagedRows } from '../data/roll';
import { decodeRollFile, type RollFileOptions, RowBatch, rollRows } from './roll-file';
import { ServiceError } from './errors';

/**
 * The roll import's worker thread (started by readRollInWorker in roll.ts): it gathers the
 * file's bytes as the upload streams in, then decodes, parses and checks it here, off the
 * server's event loop, and sends the good rows back in batches. The main thread only
 * writes them to PostgreSQL.
 */

export type ToWorker = { chunk: Uint8Array } | { end: true } | { credit: number };
export type FromWorker =
  | { columns: string[] }
  | { batch: StagedRows }
  | { done: { rows: number } }
  | { invalid: { message: string; issues: Array<{ path: string; message: string }> } }
  | { failed: string };

const { batchSize, options } = workerData as { batchSize: number; options: RollFileOptions };
const port = parentPort!;
const chunks: Uint8Array[] = [];
// Batches the main thread may still receive unasked: it grants more as it writes, so rows wait here, not in its heap.
let credit = 0;
let granted: (() => void) | undefined;

port.on('message', (m: ToWorker) => {
  if ('chunk' in m) chunks.push(m.chunk);
  else if ('credit' in m) {
    credit += m.credit;
    granted?.();
  } else void read().catch((e: unknown) => send({ failed: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
});

function send(m: FromWorker) {
  port.postMessage(m);
}

async function read() {
  let text: string;
  try {
    text = decodeRollFile(Buffer.concat(chunks), options.encoding);
  } catch (e) {
    if (e instanceof ServiceError) return send({ invalid: { message: e.message, issues: e.issues } });
    throw e;
  } finally {
    // Only the text is kept while it is read.
    chunks.length = 0;
  }
  let batch = new RowBatch();
  let rows = 0;
  const flush = async () => {
    while (credit === 0) await new Promise<void>((resolve) => (granted = resolve));
    credit--;
    const staged = batch.staged();
    // One buffer holds the seven columns: handed over, not copied.
    port.postMessage({ batch: staged } satisfies FromWorker, [staged.line.buffer as ArrayBuffer]);
    batch = new RowBatch();
  };
  try {
    for (const r of rollRows(text, options, (columns) => send({ columns }))) {
      batch.add(r);
      rows++;
      if (batch.size >= batchSize) await flush();
    }
  } catch (e) {
    if (e instanceof ServiceError) return send({ invalid: { message: e.message, issues: e.issues } });
    throw e;
  }
  if (batch.size) await flush();
  send({ done: { rows } });
}

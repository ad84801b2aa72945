import { startWorker } from '../platform/worker';
import * as roll from '../data/roll';
import type { Principal } from '../data/organisations';
import { requireOrganiser, requireRollVisible } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { invalid } from './errors';
import { type ParsedRow, type RollFileOptions, rollRows } from './roll-file';
import type { FromWorker, ToWorker } from './roll-worker';

export {
  decodeRollFile,
  MAX_COLUMNS,
  MAX_ERRORS,
  ROLL_COLUMNS,
  type RollFileOptions,
  type RowError,
} from './roll-file';

/**
 * Importing the member roll from CSV. One import is one transaction: bad rows are
 * reported with their line and reason, and nothing is written if any row is bad. The file
 * is the whole roll: members matched (by member number, else email) are updated, new
 * ones added, and current members missing from the file are removed.
 *
 * The file is read and checked in a worker thread (roll-worker.ts) as it arrives; the
 * good rows come back in batches and are staged in PostgreSQL, which compares them with
 * the current roll (data/roll.ts, stageImport…applyStaged). The event loop only passes
 * bytes and batches along, so the server keeps answering while it imports a 500,000-member roll.
 */

export type ImportReport = {
  applied: boolean;
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  branches: { existing: number; new: string[] };
  changes: {
    added: Array<{ line: number; email: string; name: string; branch: string }>;
    updated: Array<{ line: number; email: string; fields: string[] }>;
    removed: Array<{ email: string; name: string; branch: string }>;
  };
};

/** Changes listed per kind in the report (the counts are always whole). */
export const MAX_LISTED = 1000;
/** Rows per batch from the worker, each written with one statement. */
const WRITE_BATCH = 5000;
/** Batches the worker may send ahead of the writes: enough to keep PostgreSQL busy, few enough to keep memory flat. */
const AHEAD = 2;

/** A roll file: its text, its bytes, or its bytes as they arrive (an upload). */
export type RollSource = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Parses and checks the file; throws an `invalid` error listing the problems (see rollRows). */
export async function parseRollCsv(file: string | Uint8Array, opts: RollFileOptions = {}): Promise<ParsedRow[]> {
  return [...rollRows(file, opts)];
}

/**
 * The file's good rows in batches, read and checked in a worker thread; throws an
 * `invalid` error listing the problems once the whole file is read (batches already given
 * must then be dropped: the import rolls back).
 */
export async function* readRollInWorker(file: RollSource, opts: RollFileOptions = {}): AsyncGenerator<roll.StagedRows> {
  // Text is already decoded: it travels as UTF-8.
  const options = typeof file === 'string' ? { ...opts, encoding: 'utf-8' as const } : opts;
  const worker = startWorker(__dirname, 'roll-worker', { workerData: { batchSize: WRITE_BATCH, options } });
  const inbox: FromWorker[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the roll reader stopped (exit code ${code})`);
    wake?.();
  });
  const post = (m: ToWorker) => worker.postMessage(m);
  try {
    // Bytes go over in buffers of their own, handed over rather than copied: a view's whole
    // underlying buffer would be copied with it (an upload's chunk may be a view of a larger
    // one, and 500 chunks of a 33 MB file cost the event loop seconds that way).
    const hand = (bytes: Uint8Array<ArrayBuffer>) =>
      worker.postMessage({ chunk: bytes } satisfies ToWorker, [bytes.buffer]);
    const own = (view: Uint8Array) => new Uint8Array(view);
    if (typeof file === 'string') {
      const bytes = new Uint8Array(Buffer.byteLength(file, 'utf8'));
      new TextEncoder().encodeInto(file, bytes);
      hand(bytes);
    } else if (file instanceof Uint8Array) hand(own(file));
    else for await (const chunk of file) hand(own(chunk));
    post({ end: true });
    post({ credit: AHEAD });
    for (;;) {
      const m = inbox.shift();
      if (!m) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if ('batch' in m) {
        yield m.batch;
        post({ credit: 1 });
      } else if ('done' in m) return;
      else if ('invalid' in m) throw invalid(m.invalid.message, m.invalid.issues);
      else throw new Error(`the roll reader failed: ${m.failed}`);
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

export async function importRoll(
  ctx: AppContext,
  p: Principal,
  file: RollSource,
  opts: { dryRun: boolean } & RollFileOptions,
): Promise<ImportReport> {
  requireOrganiser(p);
  return ctx.db.transaction().execute(async (tx) => {
    await roll.lockRoll(tx, p.organisationId);
    await roll.stageImport(tx);
    // A batch is written while the worker reads the next; a problem found later rolls it all back.
    for await (const batch of readRollInWorker(file, opts)) await roll.stageRows(tx, batch);
    await roll.matchStaged(tx, p.organisationId);
    const s = await roll.stagedSummary(tx, p.organisationId, MAX_LISTED);
    const report: ImportReport = {
      applied: !opts.dryRun,
      rows: s.rows,
      added: s.added,
      updated: s.updated,
      unchanged: s.unchanged,
      removed: s.removed,
      branches: { existing: s.existingBranches, new: s.newBranches.sort() },
      changes: s.listed,
    };
    if (opts.dryRun) return report;
    await roll.applyStaged(tx, p.organisationId);
    await record(tx, p, 'roll.import', null, {
      rows: report.rows,
      added: report.added,
      updated: report.updated,
      removed: report.removed,
      unchanged: report.unchanged,
      newBranches: report.branches.new,
    });
    return report;
  });
}

export function listBranches(ctx: AppContext, p: Principal) {
  requireRollVisible(p);
  return roll.listBranches(ctx.db, p.organisationId);
}

export function searchMembers(
  ctx: AppContext,
  p: Principal,
  q: { search?: string; branchId?: string; limit: number; offset: number },
) {
  requireRollVisible(p);
  return roll.searchMembers(ctx.db, p.organisationId, q);
}

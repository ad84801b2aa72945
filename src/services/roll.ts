import { nearDuplicates, nearestBranch } from '@omov/core/domain/branches';
import { startWorker } from '../platform/worker';
import * as ballots from '../data/ballots';
import * as roll from '../data/roll';
import type { Principal } from '../data/organisations';
import { requireOrganiser, requireRollVisible } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { conflict, invalid } from './errors';
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
 * the current roll (data/roll.ts, stageImport…applyStaged). A first import (no current
 * member) has nothing to compare: its rows go straight into the roll, so they are written
 * once. The event loop only passes bytes and batches along, so the server keeps answering
 * while it imports a 500,000-member roll.
 */

type OptionalColumn = roll.OmittedColumn;
const OPTIONAL_COLUMNS: readonly OptionalColumn[] = ['member_number', 'weight', 'joined'];
/** An import that removes more than this share of the current roll must be confirmed. */
export const DESTRUCTIVE_REMOVAL_SHARE = 0.1;

export type ImportReport = {
  applied: boolean;
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** nearDuplicates: names in the file, or the file and the roll, that are one branch written differently ("Leeds", "leeds"). */
  branches: { existing: number; new: string[]; nearDuplicates: string[][] };
  /** Optional columns the file leaves out: members keep their values in these (unless clearOmitted). */
  keptColumns: OptionalColumn[];
  /** Optional columns the file leaves out that this import clears (clearOmitted), with how many members lose a value. */
  clearedColumns: Array<{ column: OptionalColumn; members: number }>;
  /**
   * Why this import needs confirmDestructive to be applied: it removes more than a tenth of
   * the roll, or clears a column. Empty for an ordinary import.
   */
  destructive: string[];
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

/**
 * A roll file: its text, its bytes, or its bytes as they arrive (an upload). An upload's
 * chunks become the import's: one may be handed to the worker thread, which leaves it empty here.
 */
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
export async function* readRollInWorker(
  file: RollSource,
  opts: RollFileOptions = {},
  onColumns?: (present: string[]) => void,
): AsyncGenerator<roll.StagedRows> {
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
    // An upload's chunk most often is its buffer's whole (one per socket read): that buffer
    // is handed over as it is, with no copy (the chunks are the import's, see RollSource).
    const whole = (view: Uint8Array): view is Uint8Array<ArrayBuffer> =>
      view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
    if (typeof file === 'string') {
      const bytes = new Uint8Array(Buffer.byteLength(file, 'utf8'));
      new TextEncoder().encodeInto(file, bytes);
      hand(bytes);
    } else if (file instanceof Uint8Array) hand(own(file));
    else
      for await (const chunk of file) {
        if (whole(chunk))
          try {
            hand(chunk);
            continue;
          } catch {
            // A buffer Node keeps (marked untransferable): copied instead.
          }
        hand(own(chunk));
      }
    post({ end: true });
    post({ credit: AHEAD });
    for (;;) {
      const m = inbox.shift();
      if (!m) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if ('columns' in m) onColumns?.(m.columns);
      else if ('batch' in m) {
        // Cloned, the columns are Uint8Arrays over the buffer handed over; pg wants Buffers.
        const b = m.batch;
        const own = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        yield {
          line: own(b.line),
          email: own(b.email),
          name: own(b.name),
          branch: own(b.branch),
          memberNumber: own(b.memberNumber),
          weight: own(b.weight),
          joinedOn: own(b.joinedOn),
        };
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
  opts: {
    dryRun: boolean;
    /** Clear the optional columns the file leaves out, rather than keep each member's values (destructive). */
    clearOmitted?: boolean;
    /** The organiser has seen what a destructive import does and means it. */
    confirmDestructive?: boolean;
  } & RollFileOptions,
): Promise<ImportReport> {
  requireOrganiser(p);
  return ctx.db.transaction().execute(async (tx) => {
    await roll.lockRoll(tx, p.organisationId);
    await roll.stageImport(tx);
    const current = await roll.countCurrentMembers(tx, p.organisationId);
    let present: string[] = [];
    const onColumns = (c: string[]) => (present = c);
    const omittedColumns = () => OPTIONAL_COLUMNS.filter((c) => !present.includes(c));
    const known = await roll.branchNames(tx, p.organisationId);
    const clearedColumns: ImportReport['clearedColumns'] = [];
    let s: roll.StagedSummary;
    let fileBranches: string[];
    if (current === 0 && !opts.dryRun) {
      // A first import: every row is a new member, so rows go straight into the roll (once);
      // only the first batch is staged too, for the report's list. A problem found later rolls it all back.
      let rows = 0;
      for await (const batch of readRollInWorker(file, opts, onColumns)) {
        if (rows < MAX_LISTED) await roll.stageRows(tx, p.organisationId, batch);
        rows += await roll.insertRows(tx, p.organisationId, batch);
      }
      await roll.analyzeRoll(tx);
      fileBranches = await roll.currentBranchNames(tx, p.organisationId);
      s = {
        rows,
        added: rows,
        updated: 0,
        unchanged: 0,
        removed: 0,
        existingBranches: 0,
        listed: { added: await roll.firstStaged(tx, MAX_LISTED), updated: [], removed: [] },
      };
    } else {
      // A batch is written (and matched by member number) while the worker reads the next; a
      // problem found later rolls it all back. The columns are known before the first batch.
      const keep = () => (opts.clearOmitted ? [] : omittedColumns());
      for await (const batch of readRollInWorker(file, opts, onColumns))
        await roll.stageRows(tx, p.organisationId, batch, keep());
      await roll.matchStagedByEmail(tx, p.organisationId, keep());
      s = await roll.stagedSummary(tx, p.organisationId, MAX_LISTED);
      fileBranches = await roll.stagedBranchNames(tx);
      if (opts.clearOmitted)
        for (const column of omittedColumns()) {
          const members = await roll.countClearedByStaged(tx, column);
          if (members > 0) clearedColumns.push({ column, members });
        }
    }
    const knownSet = new Set(known);
    const omitted = omittedColumns();
    const inFile = new Set(fileBranches);
    const report: ImportReport = {
      applied: !opts.dryRun,
      rows: s.rows,
      added: s.added,
      updated: s.updated,
      unchanged: s.unchanged,
      removed: s.removed,
      branches: {
        existing: s.existingBranches,
        new: fileBranches.filter((b) => !knownSet.has(b)).sort(),
        nearDuplicates: nearDuplicates([...new Set([...fileBranches, ...known])]).filter((g) =>
          g.some((b) => inFile.has(b)),
        ),
      },
      keptColumns: opts.clearOmitted ? [] : omitted,
      clearedColumns,
      destructive: [],
      changes: s.listed,
    };
    if (current && s.removed > current * DESTRUCTIVE_REMOVAL_SHARE)
      report.destructive.push(
        `it removes ${s.removed.toLocaleString('en-GB')} of the ${current.toLocaleString('en-GB')} current members (${Math.round((100 * s.removed) / current)}%)`,
      );
    for (const c of clearedColumns)
      report.destructive.push(
        `it clears the ${c.column} of ${c.members.toLocaleString('en-GB')} members (the file has no ${c.column} column)`,
      );
    if (opts.dryRun) return report;
    if (report.destructive.length && !opts.confirmDestructive)
      throw conflict(
        `the roll was not imported: ${report.destructive.join('; ')}. Preview it, and confirm that you mean it (in the API: confirmDestructive=true)`,
      );
    // A first import's rows are in the roll already.
    if (current > 0) await roll.applyStaged(tx, p.organisationId);
    await record(tx, p, 'roll.import', null, {
      rows: report.rows,
      added: report.added,
      updated: report.updated,
      removed: report.removed,
      unchanged: report.unchanged,
      ...(report.destructive.length && { confirmed: report.destructive }),
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

/**
 * Merges branch `from` into `into` ("leeds" into "Leeds"): its members move, drafts whose
 * rule names it name `into`, and the log records it. Refused while an open ballot uses
 * either branch, since its electorate and turnout are drawn by branch.
 */
export async function mergeBranches(
  ctx: AppContext,
  p: Principal,
  names: { from: string; into: string },
): Promise<{ from: string; into: string; members: number; drafts: number }> {
  requireOrganiser(p);
  return ctx.db.transaction().execute(async (tx) => {
    await roll.lockRoll(tx, p.organisationId);
    const all = await roll.listBranches(tx, p.organisationId);
    const find = (field: 'from' | 'into') => {
      const b = all.find((x) => x.name === names[field]);
      if (b) return b;
      const near = nearestBranch(
        names[field],
        all.map((x) => x.name),
      );
      throw invalid(`no branch '${names[field]}'${near ? ` — did you mean '${near}'?` : ''}`, [
        { path: field, message: `no branch '${names[field]}'${near ? ` — did you mean '${near}'?` : ''}` },
      ]);
    };
    const from = find('from');
    const into = find('into');
    if (from.id === into.id)
      throw invalid('choose two different branches', [{ path: 'into', message: 'the same branch' }]);
    const open = await ballots.listOpenBallotsUsingBranches(tx, p.organisationId, [from, into]);
    if (open.length)
      throw conflict(
        `not merged: the open ballot${open.length === 1 ? '' : 's'} ${open.map((b) => `“${b.title}”`).join(', ')} use${open.length === 1 ? 's' : ''} ${from.name} or ${into.name}; merge them after ${open.length === 1 ? 'it closes' : 'they close'}`,
      );
    const members = await roll.moveBranchMembers(tx, from.id, into.id);
    const drafts = await ballots.renameBranchInDrafts(tx, p.organisationId, from.name, into.name);
    await record(tx, p, 'branches.merge', null, { from: from.name, into: into.name, members, drafts });
    return { from: from.name, into: into.name, members, drafts };
  });
}

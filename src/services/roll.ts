import { decodeText, type TextEncodingName } from '@omov/core/csv/decode';
import { CsvSyntaxError, csvRecords, CsvTooWideError } from '@omov/core/csv/parse';
import {
  type DateOrder,
  type Member,
  memberSchema,
  normaliseWeight,
  readRollDate,
  ROLL_COLUMN,
} from '@omov/core/domain/member';
import { nearDuplicates, nearestBranch } from '@omov/core/domain/branches';
import { pauser } from '../platform/pause';
import * as ballots from '../data/ballots';
import * as roll from '../data/roll';
import type { Principal } from '../data/organisations';
import { requireOrganiser, requireRollVisible } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { conflict, invalid } from './errors';

/**
 * Importing the member roll from CSV. One import is one transaction: bad rows are
 * reported with their line and reason, and nothing is written if any row is bad. The file
 * is the whole roll: members matched (by member number, else email) are updated, new
 * ones added, and current members missing from the file are removed.
 */

export const ROLL_COLUMNS = Object.values(ROLL_COLUMN);
const REQUIRED = [ROLL_COLUMN.email, ROLL_COLUMN.name, ROLL_COLUMN.branch] as const;
type Column = (typeof ROLL_COLUMNS)[number];
const FIELDS = Object.keys(ROLL_COLUMN) as Array<keyof Member>;

export type RowError = { line: number; field: string | null; message: string };

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

type ParsedRow = Member & { line: number };

const OPTIONAL_COLUMNS = [ROLL_COLUMN.memberNumber, ROLL_COLUMN.weight, ROLL_COLUMN.joinedOn] as const;
type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];
/** An import that removes more than this share of the current roll must be confirmed. */
export const DESTRUCTIVE_REMOVAL_SHARE = 0.1;

/** A roll has six columns; a header far wider is a wrong file (or a hostile one), refused before it costs more. */
export const MAX_COLUMNS = 100;
/** Problems listed in one answer; the rest are counted. A file with 500,000 bad rows gets a readable answer, not 500,000 lines. */
export const MAX_ERRORS = 100;
/** Changes listed per kind in the report (the counts are always whole). */
export const MAX_LISTED = 1000;
/** New members written per statement while the file is read. */
const WRITE_BATCH = 5000;

export type RollFileOptions = {
  /** The file's text encoding; utf-8 unless the organiser says otherwise. */
  encoding?: TextEncodingName;
  /** How dates that are not ISO are written; without it such dates are refused, not guessed. */
  dateOrder?: DateOrder;
};

/** Collects problems up to MAX_ERRORS, counting the rest. */
class Problems {
  readonly listed: RowError[] = [];
  count = 0;
  add(e: RowError) {
    this.count++;
    if (this.listed.length < MAX_ERRORS) this.listed.push(e);
  }
  error() {
    const n = this.count;
    const more = n - this.listed.length;
    const issues = this.listed.map((e) => ({
      path: `line ${e.line}${e.field ? `, ${e.field}` : ''}`,
      message: e.message,
    }));
    if (more > 0) issues.push({ path: 'file', message: `${more.toLocaleString('en-GB')} more problems, not listed` });
    return invalid(
      `the roll was not imported: ${n.toLocaleString('en-GB')} problem${n === 1 ? '' : 's'} in the file${more > 0 ? ` (the first ${this.listed.length} listed)` : ''}`,
      issues,
    );
  }
}

function csvError(e: unknown) {
  if (e instanceof CsvTooWideError)
    return invalid(`the roll was not imported: a roll file has at most ${e.maxFields} columns`, [
      { path: `line ${e.line}`, message: e.reason },
    ]);
  if (e instanceof CsvSyntaxError)
    return invalid('the file is not valid CSV', [{ path: `line ${e.line}`, message: e.reason }]);
  return e;
}

/** The file's bytes as text in the chosen encoding; bytes that are not UTF-8 are refused with their line. */
export function decodeRollFile(bytes: Uint8Array, encoding?: TextEncodingName): string {
  try {
    return decodeText(bytes, encoding);
  } catch (e) {
    throw csvError(e);
  }
}

/** Parses and checks the file; throws an `invalid` error listing the problems (see readRoll). */
export async function parseRollCsv(file: string | Uint8Array, opts: RollFileOptions = {}): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  await readRoll(file, opts, (r) => void rows.push(r));
  return rows;
}

/**
 * Reads and checks the file, handing each good row to `onRow` as long as no row so far
 * has a problem; throws an `invalid` error listing the problems (at most MAX_ERRORS of
 * them, and how many more). A large file is read a record at a time, with a pause
 * whenever the event loop has been held for a few milliseconds, so that the server keeps
 * answering other requests while it reads a 500,000-member roll.
 */
async function readRoll(
  file: string | Uint8Array,
  opts: RollFileOptions,
  onRow: (row: ParsedRow) => void | Promise<void>,
): Promise<Set<Column>> {
  const text = typeof file === 'string' ? file : decodeRollFile(file, opts.encoding);
  const pause = pauser();
  const records = csvRecords(text, { maxFields: MAX_COLUMNS });
  const next = () => {
    try {
      return records.next();
    } catch (e) {
      throw csvError(e);
    }
  };
  const problems = new Problems();
  const first = next();
  if (first.done)
    throw invalid('the file is empty', [{ path: 'line 1', message: `expected a header row: ${REQUIRED.join(',')}` }]);
  const header = first.value;
  const names = header.fields.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const index = new Map<Column, number>();
  names.forEach((n, i) => {
    if (!(ROLL_COLUMNS as readonly string[]).includes(n)) {
      problems.add({
        line: header.line,
        field: header.fields[i]!,
        message: `unknown column "${header.fields[i]}"; the columns are ${ROLL_COLUMNS.join(', ')}`,
      });
    } else if (index.has(n as Column)) {
      problems.add({ line: header.line, field: n, message: `column "${n}" appears twice` });
    } else index.set(n as Column, i);
  });
  for (const c of REQUIRED)
    if (!index.has(c)) problems.add({ line: header.line, field: c, message: `missing required column "${c}"` });
  if (problems.count) throw problems.error();

  const byEmail = new Map<string, number>();
  const byNumber = new Map<string, number>();
  for (let r = next(), k = 0; !r.done; r = next(), k++) {
    if ((k & 63) === 0) await pause();
    const rec = r.value;
    const get = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? '' : (rec.fields[i] ?? '').trim();
    };
    if (rec.fields.length !== names.length) {
      problems.add({
        line: rec.line,
        field: null,
        message: `has ${rec.fields.length} fields, the header has ${names.length}`,
      });
      continue;
    }
    const input: Record<string, string> = {};
    for (const f of FIELDS) input[f] = get(ROLL_COLUMN[f]);
    // Dates as the organisation writes them; the member schema then reads ISO.
    let badDate = false;
    if (input.joinedOn) {
      const d = readRollDate(input.joinedOn, opts.dateOrder);
      if ('date' in d) input.joinedOn = d.date;
      else {
        problems.add({ line: rec.line, field: ROLL_COLUMN.joinedOn, message: d.error });
        input.joinedOn = '';
        badDate = true;
      }
    }
    // Each row is read as the member form and the API read a member.
    const parsed = memberSchema.safeParse(input);
    for (const i of parsed.error?.issues ?? [])
      problems.add({ line: rec.line, field: ROLL_COLUMN[i.path[0] as keyof Member] ?? null, message: i.message });
    const email = get('email');
    const memberNumber = get('member_number') || null;
    const key = email.toLowerCase();
    if (email && byEmail.has(key))
      problems.add({ line: rec.line, field: 'email', message: `${email} is also on line ${byEmail.get(key)}` });
    else if (email) byEmail.set(key, rec.line);
    if (memberNumber && byNumber.has(memberNumber)) {
      problems.add({
        line: rec.line,
        field: 'member_number',
        message: `${memberNumber} is also on line ${byNumber.get(memberNumber)}`,
      });
    } else if (memberNumber) byNumber.set(memberNumber, rec.line);
    // Rows are returned only when no row has a problem: once one has, only problems are kept.
    if (parsed.success && !badDate && problems.count === 0) await onRow(Object.assign(parsed.data, { line: rec.line }));
  }
  if (problems.count) throw problems.error();
  return new Set(index.keys());
}

export async function importRoll(
  ctx: AppContext,
  p: Principal,
  file: string | Uint8Array,
  opts: {
    dryRun: boolean;
    /** Clear the optional columns the file leaves out, rather than keep each member's values (destructive). */
    clearOmitted?: boolean;
    /** The organiser has seen what a destructive import does and means it. */
    confirmDestructive?: boolean;
  } & RollFileOptions,
): Promise<ImportReport> {
  requireOrganiser(p);
  const pause = pauser();
  return ctx.db.transaction().execute(async (tx) => {
    await roll.lockRoll(tx, p.organisationId);
    const current = await roll.listCurrentMembers(tx, p.organisationId);
    const byNumber = new Map(current.filter((m) => m.memberNumber).map((m) => [m.memberNumber!, m]));
    const byEmail = new Map(current.map((m) => [m.email.toLowerCase(), m]));
    const known = new Set((await roll.listBranches(tx, p.organisationId)).map((b) => b.name));
    const fileBranches = new Set<string>();

    // A row whose number and email no current member has is added whatever the rest of
    // the file says. Such rows are written while the file is still being read (PostgreSQL
    // works while this thread parses); a problem found later rolls the transaction back.
    const early = { count: 0, listed: [] as ParsedRow[] };
    const rows: ParsedRow[] = [];
    let batch: ParsedRow[] = [];
    let writing: Promise<void> = Promise.resolve();
    const branchIds = new Map<string, string>();
    const write = (members: ParsedRow[]) => {
      const w = writing.then(async () => {
        const missing = [...new Set(members.map((r) => r.branch))].filter((b) => !branchIds.has(b));
        if (missing.length)
          for (const [name, id] of await roll.ensureBranches(tx, p.organisationId, missing)) branchIds.set(name, id);
        await roll.insertMembers(
          tx,
          p.organisationId,
          members.map((r) => memberValues(r, branchIds)),
        );
      });
      w.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled meanwhile
      return w;
    };
    let present = new Set<Column>();
    try {
      present = await readRoll(file, opts, async (r) => {
        fileBranches.add(r.branch);
        const definitelyNew = !(r.memberNumber && byNumber.has(r.memberNumber)) && !byEmail.has(r.email.toLowerCase());
        if (!definitelyNew) return void rows.push(r);
        early.count++;
        if (early.listed.length < MAX_LISTED) early.listed.push(r);
        if (opts.dryRun) return;
        batch.push(r);
        if (batch.length >= WRITE_BATCH) {
          // One batch written at a time, the next read meanwhile.
          await writing;
          writing = write(batch);
          batch = [];
        }
      });
    } finally {
      await writing.catch(() => undefined);
    }
    await writing;
    if (rows.length + early.count === 0)
      throw invalid('the roll was not imported: the file has a header but no members', [
        { path: 'line 2', message: 'no member rows' },
      ]);

    const claimed = new Set<string>();
    const matches = new Map<number, roll.MemberRow>();
    // Member numbers first, then emails among the members not claimed by a number.
    for (const [k, r] of rows.entries()) {
      if ((k & 255) === 0) await pause();
      const m = r.memberNumber ? byNumber.get(r.memberNumber) : undefined;
      if (m) {
        matches.set(r.line, m);
        claimed.add(m.id);
      }
    }
    for (const [k, r] of rows.entries()) {
      if ((k & 255) === 0) await pause();
      if (matches.has(r.line)) continue;
      const m = byEmail.get(r.email.toLowerCase());
      if (m && !claimed.has(m.id) && (!r.memberNumber || !m.memberNumber)) {
        matches.set(r.line, m);
        claimed.add(m.id);
      }
    }
    const omitted = OPTIONAL_COLUMNS.filter((c) => !present.has(c));
    const cleared = new Map<OptionalColumn, number>(opts.clearOmitted ? omitted.map((c) => [c, 0]) : []);
    const existingBranches = new Set(current.map((m) => m.branch));
    const newBranches = [...fileBranches].filter((b) => !known.has(b)).sort();
    const report: ImportReport = {
      applied: !opts.dryRun,
      rows: rows.length + early.count,
      added: 0,
      updated: 0,
      unchanged: 0,
      removed: 0,
      branches: {
        existing: existingBranches.size,
        new: newBranches,
        nearDuplicates: nearDuplicates([...fileBranches, ...known]).filter((g) => g.some((b) => fileBranches.has(b))),
      },
      keptColumns: opts.clearOmitted ? [] : omitted,
      clearedColumns: [],
      destructive: [],
      changes: { added: [], updated: [], removed: [] },
    };
    // The lists show the first MAX_LISTED changes of each kind; the counts are whole.
    const toAdd: ParsedRow[] = [];
    const toUpdate: Array<{ row: ParsedRow; member: roll.MemberRow }> = [];
    const listedAdds = [...early.listed];
    for (const [k, r] of rows.entries()) {
      if ((k & 255) === 0) await pause();
      const m = matches.get(r.line);
      if (!m) {
        toAdd.push(r);
        if (toAdd.length <= MAX_LISTED) listedAdds.push(r);
        continue;
      }
      // A column the file leaves out keeps the member's value, or is cleared if the organiser chose so.
      const held = {
        member_number: m.memberNumber ?? null,
        weight: normaliseWeight(m.weight),
        joined: m.joinedOn ?? null,
      };
      const blank = { member_number: null, weight: normaliseWeight('1'), joined: null };
      for (const c of omitted) {
        if (cleared.has(c)) {
          if (held[c] !== blank[c]) cleared.set(c, cleared.get(c)! + 1);
        } else if (c === 'member_number') r.memberNumber = held.member_number;
        else if (c === 'weight') r.weight = held.weight;
        else r.joinedOn = held.joined;
      }
      const fields: string[] = [];
      if (m.email !== r.email) fields.push('email');
      if (m.name !== r.name) fields.push('name');
      if (m.branch !== r.branch) fields.push('branch');
      if ((m.memberNumber ?? null) !== r.memberNumber) fields.push('member_number');
      if (normaliseWeight(m.weight) !== r.weight) fields.push('weight');
      if ((m.joinedOn ?? null) !== r.joinedOn) fields.push('joined');
      if (fields.length) {
        toUpdate.push({ row: r, member: m });
        if (toUpdate.length <= MAX_LISTED) report.changes.updated.push({ line: r.line, email: r.email, fields });
      } else report.unchanged++;
    }
    const removed = current.filter((m) => !claimed.has(m.id));
    report.changes.removed = removed
      .slice(0, MAX_LISTED)
      .map((m) => ({ email: m.email, name: m.name, branch: m.branch }));
    report.changes.added = listedAdds
      .sort((a, b) => a.line - b.line)
      .slice(0, MAX_LISTED)
      .map((r) => ({ line: r.line, email: r.email, name: r.name, branch: r.branch }));
    report.added = early.count + toAdd.length;
    report.updated = toUpdate.length;
    report.removed = removed.length;
    report.clearedColumns = [...cleared].filter(([, n]) => n > 0).map(([column, members]) => ({ column, members }));
    if (current.length && removed.length > current.length * DESTRUCTIVE_REMOVAL_SHARE)
      report.destructive.push(
        `it removes ${removed.length.toLocaleString('en-GB')} of the ${current.length.toLocaleString('en-GB')} current members (${Math.round((100 * removed.length) / current.length)}%)`,
      );
    for (const c of report.clearedColumns)
      report.destructive.push(
        `it clears the ${c.column} of ${c.members.toLocaleString('en-GB')} members (the file has no ${c.column} column)`,
      );
    if (opts.dryRun) return report;
    if (report.destructive.length && !opts.confirmDestructive)
      throw conflict(
        `the roll was not imported: ${report.destructive.join('; ')}. Preview it, and confirm that you mean it (in the API: confirmDestructive=true)`,
      );

    for (const [name, id] of await roll.ensureBranches(tx, p.organisationId, [...fileBranches]))
      branchIds.set(name, id);
    const values = (r: ParsedRow) => memberValues(r, branchIds);
    await roll.markMembersRemoved(
      tx,
      removed.map((m) => m.id),
    );
    // Two members may swap emails or numbers: park the changed ones on unique
    // placeholders first, so that no intermediate state breaks a unique index.
    const parked = toUpdate.filter(
      ({ row, member }) =>
        member.email.toLowerCase() !== row.email.toLowerCase() || member.memberNumber !== row.memberNumber,
    );
    await roll.updateMembers(
      tx,
      parked.map(({ member }) => ({
        id: member.id,
        values: { ...member, email: `moving:${member.id}`, memberNumber: null },
      })),
    );
    await roll.updateMembers(
      tx,
      toUpdate.map(({ row, member }) => ({ id: member.id, values: values(row) })),
    );
    // The rest of the early additions, then those that needed the whole file to be known.
    await write(batch.concat(toAdd));
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

function memberValues(r: ParsedRow, branchIds: Map<string, string>): roll.MemberValues {
  return {
    branchId: branchIds.get(r.branch)!,
    email: r.email,
    name: r.name,
    memberNumber: r.memberNumber,
    weight: r.weight,
    joinedOn: r.joinedOn,
  };
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

import { CsvSyntaxError, parseCsv } from '@omov/core/csv/parse';
import { type Member, memberSchema, normaliseWeight, ROLL_COLUMN } from '@omov/core/domain/member';
import * as roll from '../data/roll';
import type { Principal } from '../data/organisations';
import { requireOrganiser, requireRollVisible } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { invalid } from './errors';

/**
 * Importing the member roll from CSV. One import is one transaction: every bad row is
 * reported with its line and reason, and nothing is written if any row is bad. The file
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
  branches: { existing: number; new: string[] };
  changes: {
    added: Array<{ line: number; email: string; name: string; branch: string }>;
    updated: Array<{ line: number; email: string; fields: string[] }>;
    removed: Array<{ email: string; name: string; branch: string }>;
  };
};

type ParsedRow = Member & { line: number };

/** Parses and checks the file; throws an `invalid` error listing every problem. */
export function parseRollCsv(text: string): ParsedRow[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError)
      throw invalid('the file is not valid CSV', [{ path: `line ${e.line}`, message: e.reason }]);
    throw e;
  }
  const errors: RowError[] = [];
  const header = records[0];
  if (!header)
    throw invalid('the file is empty', [{ path: 'line 1', message: `expected a header row: ${REQUIRED.join(',')}` }]);
  const names = header.fields.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const index = new Map<Column, number>();
  names.forEach((n, i) => {
    if (!(ROLL_COLUMNS as readonly string[]).includes(n)) {
      errors.push({
        line: header.line,
        field: header.fields[i]!,
        message: `unknown column "${header.fields[i]}"; the columns are ${ROLL_COLUMNS.join(', ')}`,
      });
    } else if (index.has(n as Column)) {
      errors.push({ line: header.line, field: n, message: `column "${n}" appears twice` });
    } else index.set(n as Column, i);
  });
  for (const c of REQUIRED)
    if (!index.has(c)) errors.push({ line: header.line, field: c, message: `missing required column "${c}"` });
  if (errors.length) throw rowErrors(errors);

  const rows: ParsedRow[] = [];
  const byEmail = new Map<string, number>();
  const byNumber = new Map<string, number>();
  for (const rec of records.slice(1)) {
    const get = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? '' : (rec.fields[i] ?? '').trim();
    };
    if (rec.fields.length !== names.length) {
      errors.push({
        line: rec.line,
        field: null,
        message: `has ${rec.fields.length} fields, the header has ${names.length}`,
      });
      continue;
    }
    // Each row is read as the member form and the API read a member.
    const parsed = memberSchema.safeParse(Object.fromEntries(FIELDS.map((f) => [f, get(ROLL_COLUMN[f])])));
    for (const i of parsed.error?.issues ?? [])
      errors.push({ line: rec.line, field: ROLL_COLUMN[i.path[0] as keyof Member] ?? null, message: i.message });
    const email = get('email');
    const memberNumber = get('member_number') || null;
    const key = email.toLowerCase();
    if (email && byEmail.has(key))
      errors.push({ line: rec.line, field: 'email', message: `${email} is also on line ${byEmail.get(key)}` });
    else if (email) byEmail.set(key, rec.line);
    if (memberNumber && byNumber.has(memberNumber)) {
      errors.push({
        line: rec.line,
        field: 'member_number',
        message: `${memberNumber} is also on line ${byNumber.get(memberNumber)}`,
      });
    } else if (memberNumber) byNumber.set(memberNumber, rec.line);
    // Rows are returned only when no row has a problem.
    if (parsed.success) rows.push({ line: rec.line, ...parsed.data });
  }
  if (errors.length) throw rowErrors(errors);
  return rows;
}

function rowErrors(errors: RowError[]) {
  const n = errors.length;
  return invalid(
    `the roll was not imported: ${n} problem${n === 1 ? '' : 's'} in the file`,
    errors.map((e) => ({ path: `line ${e.line}${e.field ? `, ${e.field}` : ''}`, message: e.message })),
  );
}

export async function importRoll(
  ctx: AppContext,
  p: Principal,
  text: string,
  opts: { dryRun: boolean },
): Promise<ImportReport> {
  requireOrganiser(p);
  const rows = parseRollCsv(text);
  if (rows.length === 0)
    throw invalid('the roll was not imported: the file has a header but no members', [
      { path: 'line 2', message: 'no member rows' },
    ]);
  return ctx.db.transaction().execute(async (tx) => {
    await roll.lockRoll(tx, p.organisationId);
    const current = await roll.listCurrentMembers(tx, p.organisationId);
    const byNumber = new Map(current.filter((m) => m.memberNumber).map((m) => [m.memberNumber!, m]));
    const byEmail = new Map(current.map((m) => [m.email.toLowerCase(), m]));
    const claimed = new Set<string>();
    const matches = new Map<number, roll.MemberRow>();
    // Member numbers first, then emails among the members not claimed by a number.
    for (const r of rows) {
      const m = r.memberNumber ? byNumber.get(r.memberNumber) : undefined;
      if (m) {
        matches.set(r.line, m);
        claimed.add(m.id);
      }
    }
    for (const r of rows) {
      if (matches.has(r.line)) continue;
      const m = byEmail.get(r.email.toLowerCase());
      if (m && !claimed.has(m.id) && (!r.memberNumber || !m.memberNumber)) {
        matches.set(r.line, m);
        claimed.add(m.id);
      }
    }
    const existingBranches = new Set(current.map((m) => m.branch));
    const allBranches = await roll.listBranches(tx, p.organisationId);
    const known = new Set(allBranches.map((b) => b.name));
    const newBranches = [...new Set(rows.map((r) => r.branch))].filter((b) => !known.has(b)).sort();
    const report: ImportReport = {
      applied: !opts.dryRun,
      rows: rows.length,
      added: 0,
      updated: 0,
      unchanged: 0,
      removed: 0,
      branches: { existing: existingBranches.size, new: newBranches },
      changes: { added: [], updated: [], removed: [] },
    };
    const toAdd: ParsedRow[] = [];
    const toUpdate: Array<{ row: ParsedRow; member: roll.MemberRow }> = [];
    for (const r of rows) {
      const m = matches.get(r.line);
      if (!m) {
        toAdd.push(r);
        report.changes.added.push({ line: r.line, email: r.email, name: r.name, branch: r.branch });
        continue;
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
        report.changes.updated.push({ line: r.line, email: r.email, fields });
      } else report.unchanged++;
    }
    const removed = current.filter((m) => !claimed.has(m.id));
    report.changes.removed = removed.map((m) => ({ email: m.email, name: m.name, branch: m.branch }));
    report.added = toAdd.length;
    report.updated = toUpdate.length;
    report.removed = removed.length;
    if (opts.dryRun) return report;

    const branchIds = await roll.ensureBranches(tx, p.organisationId, [...new Set(rows.map((r) => r.branch))]);
    const values = (r: ParsedRow): roll.MemberValues => ({
      branchId: branchIds.get(r.branch)!,
      email: r.email,
      name: r.name,
      memberNumber: r.memberNumber,
      weight: r.weight,
      joinedOn: r.joinedOn,
    });
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
    for (const { member } of parked) {
      await roll.updateMember(tx, member.id, {
        ...member,
        email: `moving:${member.id}`,
        memberNumber: null,
        joinedOn: member.joinedOn,
      });
    }
    for (const { row, member } of toUpdate) await roll.updateMember(tx, member.id, values(row));
    await roll.insertMembers(tx, p.organisationId, toAdd.map(values));
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

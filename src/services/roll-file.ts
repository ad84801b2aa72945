import { decodeText, type TextEncodingName } from '@omov/core/csv/decode';
import { CsvSyntaxError, csvRecords, CsvTooWideError } from '@omov/core/csv/parse';
import { type DateOrder, type Member, memberSchema, readRollDate, ROLL_COLUMN } from '@omov/core/domain/member';
import { arrayLiteral } from '../data/array-literal';
import type { StagedRows } from '../data/roll';
import { invalid } from './errors';

/**
 * Reading and checking a roll file: every rule about its content, and no I/O, so that it
 * runs in the import's worker thread (roll-worker.ts) as well as anywhere else.
 */

export const ROLL_COLUMNS = Object.values(ROLL_COLUMN);
const REQUIRED = [ROLL_COLUMN.email, ROLL_COLUMN.name, ROLL_COLUMN.branch] as const;
type Column = (typeof ROLL_COLUMNS)[number];
const FIELDS = Object.keys(ROLL_COLUMN) as Array<keyof Member>;

export type RowError = { line: number; field: string | null; message: string };
export type ParsedRow = Member & { line: number };

/** A roll has six columns; a header far wider is a wrong file (or a hostile one), refused before it costs more. */
export const MAX_COLUMNS = 100;
/** Problems listed in one answer; the rest are counted. A file with 500,000 bad rows gets a readable answer, not 500,000 lines. */
export const MAX_ERRORS = 100;

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

/**
 * The file's good rows, one at a time, as long as no row so far has a problem; at the end
 * throws an `invalid` error listing the problems (at most MAX_ERRORS of them, and how
 * many more), or saying that the file has no members. A caller that has kept rows given
 * before the problem must drop them (the import's transaction is rolled back).
 */
export function* rollRows(
  file: string | Uint8Array,
  opts: RollFileOptions = {},
  onColumns?: (present: Column[]) => void,
): Generator<ParsedRow> {
  const text = typeof file === 'string' ? file : decodeRollFile(file, opts.encoding);
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
  onColumns?.([...index.keys()]);

  const byEmail = new Map<string, number>();
  const byNumber = new Map<string, number>();
  let rows = 0;
  for (let r = next(); !r.done; r = next()) {
    const rec = r.value;
    rows++;
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
    // Rows are given only while no row has a problem: once one has, only problems are kept.
    if (parsed.success && !badDate && problems.count === 0) yield Object.assign(parsed.data, { line: rec.line });
  }
  if (problems.count) throw problems.error();
  if (rows === 0)
    throw invalid('the roll was not imported: the file has a header but no members', [
      { path: 'line 2', message: 'no member rows' },
    ]);
}

/** Good rows as columns, the shape they travel in from the worker and into PostgreSQL (data/roll.ts's stageRows). */
export class RowBatch {
  readonly line: number[] = [];
  readonly email: string[] = [];
  readonly name: string[] = [];
  readonly branch: string[] = [];
  readonly memberNumber: Array<string | null> = [];
  readonly weight: string[] = [];
  readonly joinedOn: Array<string | null> = [];

  get size() {
    return this.line.length;
  }

  add(r: ParsedRow): void {
    this.line.push(r.line);
    this.email.push(r.email);
    this.name.push(r.name);
    this.branch.push(r.branch);
    this.memberNumber.push(r.memberNumber);
    this.weight.push(r.weight);
    this.joinedOn.push(r.joinedOn);
  }

  /**
   * Each column as one PostgreSQL array literal in UTF-8, all seven in one buffer: the
   * worker hands the buffer over (postMessage's transfer list) rather than the server's
   * thread decoding seven large strings into its heap, and pg sends the bytes as they are.
   */
  staged(): StagedRows {
    const literals = {
      line: arrayLiteral(this.line),
      email: arrayLiteral(this.email),
      name: arrayLiteral(this.name),
      branch: arrayLiteral(this.branch),
      memberNumber: arrayLiteral(this.memberNumber),
      weight: arrayLiteral(this.weight),
      joinedOn: arrayLiteral(this.joinedOn),
    };
    let size = 0;
    for (const text of Object.values(literals)) size += Buffer.byteLength(text, 'utf8');
    const bytes = Buffer.alloc(size);
    let at = 0;
    const put = (text: string) => {
      const n = bytes.write(text, at, 'utf8');
      at += n;
      return bytes.subarray(at - n, at);
    };
    return {
      line: put(literals.line),
      email: put(literals.email),
      name: put(literals.name),
      branch: put(literals.branch),
      memberNumber: put(literals.memberNumber),
      weight: put(literals.weight),
      joinedOn: put(literals.joinedOn),
    };
  }
}

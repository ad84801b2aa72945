/**
 * `omov apportion FILE.csv --seats N --method M`: share N delegates among branches by
 * population. FILE has a header row with `name` and `population` columns (any order,
 * any case) and optionally `min` and `max` columns for bounds per branch.
 */
import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { InputError } from '../errors';
import { CsvSyntaxError, parseCsv, type CsvRecord } from '@omov/core/csv/parse';
import { parseRational, type Rational } from '@omov/core/tally/rational';
import {
  APPORTIONMENT_METHODS,
  DelegateError,
  METHOD_NAMES,
  apportion,
  apportionByBands,
  isApportionmentMethod,
  parseBandTable,
  seatsByName,
  type Apportionment,
  type Claimant,
} from '@omov/core/delegates/index';

// ------------------------------------------------------------------ shared by the delegate commands

export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Header (lower-cased, trimmed names) and rows, every row as wide as the header. */
export function readCsv(file: string): { header: string[]; headerLine: number; rows: CsvRecord[] } {
  let records: CsvRecord[];
  try {
    records = parseCsv(readText(file));
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
  const head = records[0];
  if (head === undefined) throw new InputError(`${file}: the file is empty; expected a header row`);
  const header = head.fields.map((f) => f.trim());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new InputError(`${file}: line ${head.line}: column ${i + 1} of the header has no name`);
    if (seen.has(h.toLowerCase()))
      throw new InputError(`${file}: line ${head.line}: column ${JSON.stringify(h)} appears twice`);
    seen.add(h.toLowerCase());
  });
  const rows = records.slice(1);
  for (const r of rows) {
    if (r.fields.length !== header.length)
      throw new InputError(`${file}: line ${r.line}: ${r.fields.length} fields, but the header has ${header.length}`);
  }
  return { header, headerLine: head.line, rows };
}

/** A non-negative exact number from a cell, or an InputError naming the line and field. */
export function cellNumber(file: string, r: CsvRecord, col: number, field: string, what: string): Rational {
  const cell = (r.fields[col] ?? '').trim();
  let x: Rational;
  try {
    x = parseRational(cell);
  } catch {
    throw new InputError(`${file}: line ${r.line}: field "${field}": ${what} ${JSON.stringify(cell)} is not a number`);
  }
  if (x.num < 0n) throw new InputError(`${file}: line ${r.line}: field "${field}": ${what} ${cell} is negative`);
  return x;
}

export function cellWhole(file: string, r: CsvRecord, col: number, field: string, what: string): number {
  const cell = (r.fields[col] ?? '').trim();
  if (!/^\d+$/.test(cell) || !Number.isSafeInteger(Number(cell))) {
    throw new InputError(
      `${file}: line ${r.line}: field "${field}": ${what} ${JSON.stringify(cell)} is not a whole number`,
    );
  }
  return Number(cell);
}

export function wholeFlag(flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new InputError(`${flag} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Run the engine; its complaints about the input become InputErrors. */
export function engine<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DelegateError) throw new InputError(err.message);
    throw err;
  }
}

/** A plain-text table: first column left-aligned, the rest right-aligned. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>, leftColumns = 1): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => {
            const pad = ' '.repeat((widths[i] ?? 0) - [...c].length);
            return i < leftColumns ? c + pad : pad + c;
          })
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;

// ------------------------------------------------------------------ the command

interface Flags {
  seats?: string;
  method: string;
  min?: string;
  max?: string;
  seed?: string;
  bands?: string;
  format: 'json' | 'text';
}

const HELP = `
FILE is a CSV file with a header row:
  name,population[,min,max]
  North,1520
  South,980
Methods: ${APPORTIONMENT_METHODS.join(' ')}, or bands with --bands.
  --bands "100:1,250:2,+250:1" gives 1 delegate up to 100 members, 2 up to 250, then 1 more
  for each further complete 250 ("+250~:1": or part thereof); no --seats then.
Ties are broken by a lot drawn from --seed (default "omov") and listed in the result.
`;

export function register(program: Command): void {
  program
    .command('apportion')
    .description('share delegates among branches by population')
    .argument('<file>', 'CSV file: name,population[,min,max]')
    .option('--seats <n>', 'delegates to share')
    .addOption(
      new Option('--method <method>', 'apportionment method')
        .choices([...APPORTIONMENT_METHODS, 'bands'])
        .makeOptionMandatory(),
    )
    .option('--min <k>', 'at least this many delegates per branch')
    .option('--max <k>', 'at most this many delegates per branch')
    .option('--seed <seed>', 'seed for lots (default "omov")')
    .option('--bands <table>', 'band table for --method bands, e.g. "100:1,250:2,+250:1"')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'))
    .addHelpText('after', HELP)
    .action((file: string, flags: Flags) => {
      process.stdout.write(runApportion(file, flags));
    });
}

export function readClaimants(file: string): Claimant[] {
  const { header, headerLine, rows } = readCsv(file);
  const col = (name: string): number => header.findIndex((h) => h.toLowerCase() === name);
  const nameCol = col('name');
  const popCol = col('population');
  if (nameCol < 0 || popCol < 0)
    throw new InputError(`${file}: line ${headerLine}: the header needs "name" and "population" columns`);
  const minCol = col('min');
  const maxCol = col('max');
  const seen = new Set<string>();
  return rows.map((r) => {
    const name = r.fields[nameCol]!.trim();
    if (name === '') throw new InputError(`${file}: line ${r.line}: field "name" is empty`);
    if (seen.has(name))
      throw new InputError(`${file}: line ${r.line}: field "name": branch ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    const c: { name: string; population: Rational; min?: number; max?: number } = {
      name,
      population: cellNumber(file, r, popCol, header[popCol]!, 'population'),
    };
    if (minCol >= 0 && r.fields[minCol]!.trim() !== '') c.min = cellWhole(file, r, minCol, header[minCol]!, 'minimum');
    if (maxCol >= 0 && r.fields[maxCol]!.trim() !== '') c.max = cellWhole(file, r, maxCol, header[maxCol]!, 'maximum');
    return c;
  });
}

export function runApportion(file: string, flags: Flags): string {
  const min = wholeFlag('--min', flags.min);
  const max = wholeFlag('--max', flags.max);
  let result: Apportionment;
  if (flags.method === 'bands') {
    if (flags.bands === undefined) throw new InputError('--method bands needs --bands, e.g. "100:1,250:2,+250:1"');
    if (flags.seats !== undefined)
      throw new InputError('--seats does not go with --method bands: the table decides the number');
    const bands = flags.bands;
    const claimants = readClaimants(file);
    result = engine(() => apportionByBands(claimants, parseBandTable(bands), { min, max }));
  } else {
    if (!isApportionmentMethod(flags.method)) throw new InputError(`unknown method ${JSON.stringify(flags.method)}`);
    if (flags.bands !== undefined) throw new InputError('--bands goes with --method bands');
    const seats = wholeFlag('--seats', flags.seats);
    if (seats === undefined) throw new InputError(`--method ${flags.method} needs --seats N`);
    const method = flags.method;
    const claimants = readClaimants(file);
    result = engine(() => apportion(claimants, { method, seats, min, max, seed: flags.seed }));
  }
  if (flags.format === 'json') {
    return json({
      method: result.method,
      seats: seatsByName(result),
      ties: result.ties,
      house: result.house,
      seed: result.seed,
      notes: result.notes,
    });
  }
  const label = result.method === 'bands' ? 'band table' : METHOD_NAMES[result.method];
  let out = `Apportionment of ${result.house} delegates, ${label}\n\n`;
  out += table([
    ['Branch', 'Delegates'],
    ...result.names.map((n, i) => [n, String(result.seats[i])]),
    ['Total', String(result.house)],
  ]);
  for (const t of result.ties) out += `\nTie: ${t.note}`;
  for (const n of result.notes) out += `\nNote: ${n}`;
  if (result.ties.length > 0 || result.notes.length > 0) out += '\n';
  if (result.ties.length > 0) out += `Lots drawn from seed ${JSON.stringify(result.seed)}.\n`;
  return out;
}

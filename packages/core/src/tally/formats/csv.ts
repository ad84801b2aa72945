/**
 * The CSV ballot format: one row per ballot paper.
 *
 *   Ann,Bob,Cy,weight
 *   1,2,,1
 *   2,1,1,
 *   ,,1,3
 *
 * - The header row names the candidates, one per column. A column headed "weight" (any
 *   case; optional) gives the paper's weight: blank means 1, else an exact number such as
 *   2, 0.5 or 1/3.
 * - Ranked ballots: each cell is the candidate's rank, 1 = first preference; blank =
 *   unranked. Equal numbers are equal preferences (so an approval or block-vote paper marks
 *   its candidates 1); gaps are allowed (1, 3 reads as 1, 2). A row of blanks is a blank paper.
 * - Score ballots (score voting): each cell is a whole-number score; blank = unscored.
 * - Standard RFC 4180 quoting; blank lines are skipped. Seats, title and withdrawals are
 *   not in the file: the caller supplies them.
 */
import type { Election, RankedBallot, ScoreBallot } from '../types';
import { type Rational, ONE, parseRational } from '../rational';
import { parseCsv, type CsvRecord } from '../../csv/parse';

export class CsvBallotError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvBallotError';
  }
}

export interface CsvElectionOptions {
  readonly title?: string;
  readonly seats?: number;
}

interface Layout {
  readonly candidates: string[];
  /** Column of each candidate. */
  readonly columns: number[];
  readonly weightColumn: number;
  readonly width: number;
  readonly rows: CsvRecord[];
}

/** Read the header, check every row's width. Throws CsvSyntaxError (from parseCsv) or CsvBallotError. */
function layout(text: string): Layout {
  const records = parseCsv(text);
  const header = records[0];
  if (header === undefined) throw new CsvBallotError(1, 'the file is empty: expected a header row of candidate names');
  const candidates: string[] = [];
  const columns: number[] = [];
  let weightColumn = -1;
  header.fields.forEach((raw, col) => {
    const name = raw.trim();
    if (name.toLowerCase() === 'weight') {
      if (weightColumn >= 0) throw new CsvBallotError(header.line, 'two "weight" columns');
      weightColumn = col;
      return;
    }
    if (name === '') throw new CsvBallotError(header.line, `column ${col + 1} of the header has no candidate name`);
    if (candidates.includes(name))
      throw new CsvBallotError(header.line, `candidate ${JSON.stringify(name)} named twice in the header`);
    candidates.push(name);
    columns.push(col);
  });
  if (candidates.length === 0) throw new CsvBallotError(header.line, 'the header names no candidates');
  const width = header.fields.length;
  const rows = records.slice(1);
  for (const r of rows) {
    if (r.fields.length !== width)
      throw new CsvBallotError(r.line, `${r.fields.length} fields, but the header has ${width}`);
  }
  return { candidates, columns, weightColumn, width, rows };
}

function weightOf(l: Layout, r: CsvRecord): Rational {
  if (l.weightColumn < 0) return ONE;
  const cell = r.fields[l.weightColumn]!.trim();
  if (cell === '') return ONE;
  let w: Rational;
  try {
    w = parseRational(cell);
  } catch {
    throw new CsvBallotError(r.line, `weight ${JSON.stringify(cell)} is not a number`);
  }
  if (w.num < 0n) throw new CsvBallotError(r.line, `weight ${cell} is negative`);
  return w;
}

/** Read ranked ballots (ranks per candidate). */
export function parseRankedCsv(text: string, options: CsvElectionOptions = {}): Election<RankedBallot> {
  const l = layout(text);
  const ballots: RankedBallot[] = l.rows.map((r) => {
    const byRank = new Map<number, number[]>();
    l.columns.forEach((col, c) => {
      const cell = r.fields[col]!.trim();
      if (cell === '') return;
      if (!/^\d+$/.test(cell) || Number(cell) < 1) {
        throw new CsvBallotError(
          r.line,
          `rank ${JSON.stringify(cell)} for ${JSON.stringify(l.candidates[c])} is not a whole number from 1 up (leave it blank for unranked)`,
        );
      }
      const rank = Number(cell);
      const group = byRank.get(rank);
      if (group) group.push(c);
      else byRank.set(rank, [c]);
    });
    const ranking = [...byRank.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
    return { weight: weightOf(l, r), ranking };
  });
  return { title: options.title ?? '', candidates: l.candidates, withdrawn: [], seats: options.seats ?? 1, ballots };
}

/** Read score ballots (a whole-number score per candidate; range is checked by the count). */
export function parseScoreCsv(text: string, options: CsvElectionOptions = {}): Election<ScoreBallot> {
  const l = layout(text);
  const ballots: ScoreBallot[] = l.rows.map((r) => {
    const scores = l.columns.map((col, c) => {
      const cell = r.fields[col]!.trim();
      if (cell === '') return null;
      if (!/^-?\d+$/.test(cell)) {
        throw new CsvBallotError(
          r.line,
          `score ${JSON.stringify(cell)} for ${JSON.stringify(l.candidates[c])} is not a whole number (leave it blank for unscored)`,
        );
      }
      return Number(cell);
    });
    return { weight: weightOf(l, r), scores };
  });
  return { title: options.title ?? '', candidates: l.candidates, withdrawn: [], seats: options.seats ?? 1, ballots };
}

/**
 * The count as a returning officer reads it: a result sheet with candidates as rows and
 * rounds (stages) as columns, then what happened in each round, the pairwise matrix for
 * Condorcet methods, every tie and how it was broken, and the summary figures.
 * Pure: builds a string, prints nothing.
 */
import type { TallyResult } from './types';
import { methodOf } from '../methods/index';

function table(rows: string[][], alignRightFrom = 1): string[] {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((cell, k) => {
      widths[k] = Math.max(widths[k] ?? 0, cell.length);
    });
  return rows.map((r) =>
    r
      .map((cell, k) => (k < alignRightFrom ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderText(result: TallyResult, title = ''): string {
  const out: string[] = [];
  const method = methodOf(result.method);
  const won = method.motion ? 'Outcome' : 'Elected';
  if (title) out.push(title, '='.repeat(Math.min(title.length, 78)));
  out.push(`Method: ${method.labels.sheet}${result.rules ? ` (${result.rules} rules)` : ''}`);
  out.push(
    `Seats: ${result.seats}    Candidates: ${result.candidates.length}    Seed for lots: ${JSON.stringify(result.seed)}`,
  );
  out.push('');

  const rounds = result.rounds;
  if (rounds.length > 0) {
    const header = [
      '',
      ...rounds.map((r) =>
        rounds.length === 1 && !method.labels.roundsAlways ? (method.labels.column ?? 'Votes') : `Round ${r.number}`,
      ),
      'Result',
    ];
    const rows: string[][] = [header];
    for (const name of result.candidates) {
      let status = '';
      const cells = rounds.map((r) => {
        if (r.elected.includes(name)) status = `${won}${rounds.length > 1 ? ` (round ${r.number})` : ''}`;
        if (r.excluded.includes(name)) status = `Excluded (round ${r.number})`;
        return r.votes[name] ?? '-';
      });
      if (status === '' && result.elected.includes(name)) status = won;
      if (status === '' && cells.every((v) => v === '-')) status = 'Withdrawn';
      rows.push([name, ...cells, status]);
    }
    if (rounds.some((r) => r.exhausted !== undefined))
      rows.push(['Exhausted', ...rounds.map((r) => r.exhausted ?? ''), '']);
    if (rounds.some((r) => r.loss !== undefined))
      rows.push(['Loss (rounding)', ...rounds.map((r) => r.loss ?? ''), '']);
    if (rounds.some((r) => r.quota !== undefined)) {
      rows.push([method.labels.quota ?? 'Quota', ...rounds.map((r) => r.quota ?? ''), '']);
    }
    out.push(...table(rows), '');

    for (const r of rounds) {
      out.push(`${rounds.length > 1 ? `Round ${r.number}: ` : ''}${r.note}`);
      for (const t of r.transfers ?? []) {
        const to = Object.entries(t.to)
          .map(([n, v]) => `${n} +${v}`)
          .join(', ');
        out.push(
          `    ${t.kind === 'surplus' ? 'Surplus' : 'Papers'} of ${t.from}${t.value ? ` at value ${t.value}` : ''}: ${to || 'none to continuing candidates'}; exhausted ${t.exhausted}.`,
        );
      }
    }
    out.push('');
  }

  if (result.pairwise) {
    const names = result.candidates;
    out.push('Pairwise preferences (papers preferring the row candidate to the column candidate):');
    const rows = [
      ['', ...names],
      ...names.map((n, i) => [n, ...names.map((_, j) => (i === j ? '-' : (result.pairwise!.matrix[i]?.[j] ?? '')))]),
    ];
    out.push(...table(rows).map((l) => `  ${l}`));
    out.push(`Condorcet winner: ${result.pairwise.condorcetWinner ?? 'none'}`, '');
  }

  if (result.ties.length > 0) {
    out.push('Ties:');
    for (const t of result.ties) {
      out.push(
        `  ${t.round === null ? '' : `Round ${t.round}: `}${t.between.join(', ')}; broken by ${t.brokenBy === 'lot' ? 'lot' : 'the rules'}: ${t.chosen}. ${t.note}`,
      );
    }
    out.push('');
  }

  const summary = Object.entries(result.summary ?? {});
  if (summary.length > 0) {
    out.push('Summary:');
    out.push(
      ...table(
        summary.map(([k, v]) => [`  ${k}`, v === null ? '-' : String(v)]),
        1,
      ),
    );
    out.push('');
  }
  if (result.notes && result.notes.length > 0) {
    out.push('Notes:');
    for (const n of result.notes) out.push(`  - ${n}`);
    out.push('');
  }
  out.push(
    `${won}: ${result.elected.length === 0 ? (method.motion ? 'no decision' : 'none') : result.elected.join(', ')}`,
  );
  return `${out.join('\n')}\n`;
}

import type { BallotResults } from '../services/results';
import { add, div, mul, parseRational, rat, type Rational, toFixed, ZERO } from '@omov/core/tally/rational';
import { methodOf } from '@omov/core/methods/index';

/** The result of a ballot as plain-text tables, for a terminal. */

type Align = 'left' | 'right';

export function textTable(head: string[], rows: string[][], align: Align[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A percentage to one decimal, rounded half up (toFixed alone truncates). */
const share = (part: Rational, whole: Rational) =>
  whole.num === 0n ? '-' : `${toFixed(add(mul(div(part, whole), rat(100)), rat(1, 20)), 1)}%`;

export function formatResults(r: BallotResults): string {
  const out: string[] = [];
  out.push(`${r.ballot.title} (${r.ballot.status})`);
  out.push('');
  out.push(`Turnout: ${r.turnout.voted} of ${r.turnout.eligible} members voted (${r.turnout.percent}%)`);
  out.push('');
  out.push(
    textTable(
      ['Branch', 'Members', 'Voted', 'Turnout'],
      [
        ...[...r.turnout.byBranch]
          .sort((a, b) => b.eligible - a.eligible || a.branch.localeCompare(b.branch))
          .map((b) => [b.branch, String(b.eligible), String(b.voted), `${b.percent}%`]),
        ['All branches', String(r.turnout.eligible), String(r.turnout.voted), `${r.turnout.percent}%`],
      ],
      ['left', 'right', 'right', 'right'],
    ),
  );
  for (const [i, q] of r.questions.entries()) {
    const votes = q.options.map((o) => parseRational(o.votes));
    const total = votes.reduce((a, v) => add(a, v), ZERO);
    out.push('');
    out.push(`${i + 1}. ${q.title}  [${q.method}]`);
    out.push(
      textTable(
        ['Option', q.figure[0]!.toUpperCase() + q.figure.slice(1), 'Share'],
        [...q.options.map((o, k) => [o.option, o.votes, share(votes[k]!, total)]), ['(abstained)', q.abstentions, '']],
        ['left', 'right', 'right'],
      ),
    );
    const last = q.count.rounds[q.count.rounds.length - 1];
    const winner = q.elected.length ? q.elected.join(', ') : 'none';
    out.push(`Result: ${winner}${methodOf(q.method).motion && last ? ` (${last.note})` : ''}`);
    for (const tie of q.count.ties) out.push(`  Tie: ${tie.note}`);
  }
  return out.join('\n');
}

import type { BallotResults } from '../services/results';
import { add, div, parseRational, type Rational, ZERO } from '@omov/core/tally/rational';
import { methodOf } from '@omov/core/methods/index';
import { figureText, type MotionSummary, motionWords, percentText } from '@omov/core/domain/figures';

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

/** A share of the total as the pages write it ("6.9%"). */
const share = (part: Rational, whole: Rational) => (whole.num === 0n ? '-' : percentText(div(part, whole)));

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
        [
          ...q.options.map((o, k) => [o.option, figureText(o.votes), share(votes[k]!, total)]),
          ['(abstentions)', figureText(q.abstentions), ''],
        ],
        ['left', 'right', 'right'],
      ),
    );
    const winner = q.elected.length ? q.elected.join(', ') : 'none';
    // A motion in words as the results page says it: decimals, "two thirds", the distance to it.
    const s = q.count.summary as MotionSummary | undefined;
    const motion =
      methodOf(q.method).motion && s ? motionWords(s, q.count.candidates[0], q.count.candidates[1]).result : '';
    out.push(`Result: ${winner}${motion ? ` (${motion})` : ''}`);
    for (const tie of q.count.ties) out.push(`  Tie: ${tie.note}`);
  }
  return out.join('\n');
}

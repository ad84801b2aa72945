import { figureText } from '@omov/core/domain/figures';
import { formatTime } from '@omov/core/domain/zones';
import { type Html, html, raw } from './html';

/**
 * Inline SVG charts, drawn on the server: no library, no script, no style attributes
 * (the Content-Security-Policy allows none), only presentation attributes. Every chart
 * has a title and a description for screen readers, and every figure it shows is also
 * in a table on the same page: the chart is the picture, the table is the record.
 */

/** A figure as the count writes it ("12", "1.99996", "11/2") as a number, for drawing only. */
export function figure(s: string | number | null | undefined): number {
  if (typeof s === 'number') return s;
  if (!s) return 0;
  const m = /^(-?\d+)\/(\d+)$/.exec(s.trim());
  if (m) return Number(m[1]) / Number(m[2]);
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

/** Okabe–Ito colours, told apart by people with the common colour-vision deficiencies. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
] as const;
const EXHAUSTED = '#9e9e9e';
export const colourOf = (i: number): string => PALETTE[i % PALETTE.length]!;

let serial = 0;
/** Ids for <title>/<desc>, unique within a page (a page renders many charts). */
const nextId = () => `chart${++serial}`;

const WIDTH = 640;
const LABEL = 190;
const VALUE = 110;
const ROW = 26;

function clip(label: string, max = 28): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/**
 * A label broken at spaces into lines of at most `max` characters, and at most `lines` of
 * them (the last clipped): a pooled unit's name lists its branches and must not be cut short.
 */
export function wrapLabel(label: string, max = 28, lines = 3): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of label.split(/\s+/)) {
    if (line && line.length + 1 + word.length > max) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  if (out.length <= lines) return out.map((l) => clip(l, max));
  return [...out.slice(0, lines - 1), clip(out.slice(lines - 1).join(' '), max)];
}

const LINE = 16;

/** A right-aligned label of one or more lines, its first line's baseline at `y`. */
function labelText(lines: string[], x: number, y: number, size = 14): Html {
  return html`<text x="${x}" y="${y}" text-anchor="end" font-size="${size}" fill="#1a1a1a">${lines.map((l, i) => html`<tspan x="${x}" dy="${i ? LINE : 0}">${l}</tspan>`)}</text>`;
}

export type Bar = { label: string; value: number; display?: string; highlight?: boolean };

/** Horizontal bars, one per row, longest the full width (or scaled to `max`). */
export function barChart(opts: { title: string; description?: string; bars: Bar[]; max?: number }): Html {
  const { bars } = opts;
  if (!bars.length) return html``;
  const id = nextId();
  const max = Math.max(opts.max ?? 0, ...bars.map((b) => b.value), 0) || 1;
  const area = WIDTH - LABEL - VALUE;
  const labels = bars.map((b) => wrapLabel(b.label));
  // Each row is as tall as its label; rows start where the one above ends.
  const tops = labels.reduce<number[]>((t, l, i) => [...t, t[i]! + ROW + (l.length - 1) * LINE], [4]);
  const height = tops[bars.length]! + 4;
  return html`<svg class="chart" role="img" aria-labelledby="${id}t ${id}d" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${id}t">${opts.title}</title><desc id="${id}d">${opts.description ?? bars.map((b) => `${b.label}: ${b.display ?? figureText(b.value)}`).join('; ')}</desc>
${bars.map((b, i) => {
  const y = tops[i]!;
  const w = Math.max(0, (b.value / max) * area);
  return html`<g><title>${b.label}: ${b.display ?? figureText(b.value)}</title>
${labelText(labels[i]!, LABEL - 8, y + 17)}
<rect x="${LABEL}" y="${y + 3}" width="${area}" height="${ROW - 8}" fill="#eef1f5"/>
<rect x="${LABEL}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${b.highlight ? '#1e6b2a' : '#0b5394'}"/>
<text x="${LABEL + area + 6}" y="${y + 17}" font-size="14" fill="#1a1a1a">${b.display ?? figureText(b.value)}</text></g>`;
})}
</svg>`;
}

/** Two bars per row (say, members' share and delegates' share), with a legend. */
export function pairedBarChart(opts: {
  title: string;
  legend: [string, string];
  rows: Array<{ label: string; a: number; b: number; aText: string; bText: string }>;
  max?: number;
}): Html {
  if (!opts.rows.length) return html``;
  const id = nextId();
  const max = Math.max(opts.max ?? 0, ...opts.rows.flatMap((r) => [r.a, r.b])) || 1;
  const area = WIDTH - LABEL - VALUE;
  const rowH = 2 * (ROW - 8) + 12;
  const top = 26;
  const height = top + opts.rows.length * rowH + 4;
  const colours = [PALETTE[0], PALETTE[1]] as const;
  return html`<svg class="chart" role="img" aria-labelledby="${id}t ${id}d" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${id}t">${opts.title}</title><desc id="${id}d">${opts.rows.map((r) => `${r.label}: ${opts.legend[0]} ${r.aText}, ${opts.legend[1]} ${r.bText}`).join('; ')}</desc>
${opts.legend.map((l, i) => html`<rect x="${LABEL + i * 200}" y="6" width="14" height="14" fill="${colours[i]!}"/><text x="${LABEL + i * 200 + 20}" y="18" font-size="14" fill="#1a1a1a">${l}</text>`)}
${opts.rows.map((r, i) => {
  const y = top + i * rowH;
  const bar = (
    v: number,
    text: string,
    k: 0 | 1,
  ) => html`<rect x="${LABEL}" y="${y + k * (ROW - 8)}" width="${((v / max) * area).toFixed(1)}" height="${ROW - 10}" fill="${colours[k]}"><title>${r.label}, ${opts.legend[k]}: ${text}</title></rect>
<text x="${LABEL + (v / max) * area + 6}" y="${y + k * (ROW - 8) + 13}" font-size="12" fill="#1a1a1a">${text}</text>`;
  return html`${labelText(wrapLabel(r.label, 28, 2), LABEL - 8, y + 20)}${bar(r.a, r.aText, 0)}${bar(r.b, r.bText, 1)}`;
})}
</svg>`;
}

export type TransferRow = {
  round: number;
  from: string;
  kind: 'surplus' | 'exclusion';
  to: Readonly<Record<string, string>>;
  exhausted: string;
};

/**
 * The transfers of a count in rounds: one stacked bar per transfer (a surplus or an
 * excluded candidate's papers), split by where the votes went, exhausted papers in grey.
 */
export function transfersChart(candidates: ReadonlyArray<string>, transfers: TransferRow[]): Html {
  if (!transfers.length) return html``;
  const id = nextId();
  const totals = transfers.map((t) => Object.values(t.to).reduce((s, v) => s + figure(v), 0) + figure(t.exhausted));
  const max = Math.max(...totals) || 1;
  const label = 230;
  const area = WIDTH - label - 70;
  const legendRows = Math.ceil((candidates.length + 1) / 3);
  const top = legendRows * 20 + 8;
  const height = top + transfers.length * ROW + 6;
  const legend = [
    ...candidates.map((c, i) => ({ name: c, colour: colourOf(i) })),
    { name: 'Exhausted', colour: EXHAUSTED },
  ];
  const describe = (t: TransferRow) =>
    `Round ${t.round}: ${t.kind === 'surplus' ? `surplus of ${t.from}` : `${t.from} excluded`}: ${
      Object.entries(t.to)
        .map(([c, v]) => `${figureText(v)} to ${c}`)
        .join(', ') || 'nothing to a candidate'
    }; ${figureText(t.exhausted)} exhausted`;
  return html`<svg class="chart" role="img" aria-labelledby="${id}t ${id}d" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${id}t">Transfers, round by round</title><desc id="${id}d">${transfers.map(describe).join('. ')}</desc>
${legend.map((l, i) => html`<rect x="${(i % 3) * 210}" y="${Math.floor(i / 3) * 20 + 4}" width="14" height="14" fill="${l.colour}"/><text x="${(i % 3) * 210 + 20}" y="${Math.floor(i / 3) * 20 + 16}" font-size="13" fill="#1a1a1a">${clip(l.name, 26)}</text>`)}
${transfers.map((t, i) => {
  const y = top + i * ROW;
  let x = label;
  const segments: Html[] = [];
  const parts: Array<[string, string, string]> = [
    ...candidates
      .filter((c) => t.to[c] !== undefined && figure(t.to[c]) > 0)
      .map((c): [string, string, string] => [c, t.to[c]!, colourOf(candidates.indexOf(c))]),
    ...(figure(t.exhausted) > 0 ? [['exhausted', t.exhausted, EXHAUSTED] as [string, string, string]] : []),
  ];
  for (const [name, v, colour] of parts) {
    const w = (figure(v) / max) * area;
    segments.push(
      html`<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${colour}"><title>${figureText(v)} to ${name}</title></rect>`,
    );
    x += w;
  }
  return html`<g><title>${describe(t)}</title><text x="${label - 8}" y="${y + 17}" text-anchor="end" font-size="13" fill="#1a1a1a">${`R${t.round}: ${clip(t.from, 18)} ${t.kind === 'surplus' ? 'surplus' : 'excluded'}`}</text>${segments}
<text x="${(x + 6).toFixed(1)}" y="${y + 17}" font-size="13" fill="#1a1a1a">${figureText(totals[i]!)}</text></g>`;
})}
</svg>`;
}

/** A line per candidate across the rounds of a count, the quota as a dashed line. */
export function roundsChart(
  candidates: ReadonlyArray<string>,
  rounds: ReadonlyArray<{ number: number; votes: Readonly<Record<string, string>>; quota?: string }>,
): Html {
  if (rounds.length < 2) return html``;
  const id = nextId();
  const height = 260;
  const left = 50;
  const right = 150;
  const top = 10;
  const bottom = 30;
  const max = Math.max(...rounds.flatMap((r) => [...Object.values(r.votes).map(figure), figure(r.quota)])) || 1;
  const x = (i: number) => left + (i * (WIDTH - left - right)) / (rounds.length - 1);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const quota = rounds[0]!.quota;
  // Names at the end of their lines, pushed apart where lines end close together.
  const ends = candidates
    .map((c, k) => {
      const last = [...rounds].reverse().find((r) => r.votes[c] !== undefined);
      return { k, y: y(figure(last?.votes[c])) + 4 };
    })
    .sort((a, b) => a.y - b.y);
  for (let i = 1; i < ends.length; i++) ends[i]!.y = Math.max(ends[i]!.y, ends[i - 1]!.y + 13);
  const overflow = (ends[ends.length - 1]?.y ?? 0) - (height - 4);
  if (overflow > 0) for (const e of ends) e.y -= overflow;
  const labelY = new Map(ends.map((e) => [e.k, e.y]));
  const lines = candidates.map((c, k) => {
    const points = rounds
      .map((r, i) => (r.votes[c] === undefined ? null : `${x(i).toFixed(1)},${y(figure(r.votes[c])).toFixed(1)}`))
      .filter((p) => p !== null);
    return html`<polyline points="${points.join(' ')}" fill="none" stroke="${colourOf(k)}" stroke-width="2.5"><title>${c}: ${rounds.map((r) => `round ${r.number} ${figureText(r.votes[c]) || '-'}`).join(', ')}</title></polyline>
<text x="${WIDTH - right + 6}" y="${labelY.get(k)!.toFixed(1)}" font-size="12" fill="${colourOf(k)}">${clip(c, 20)}</text>`;
  });
  return html`<svg class="chart" role="img" aria-labelledby="${id}t ${id}d" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${id}t">Votes of each candidate, round by round</title><desc id="${id}d">${candidates.map((c) => `${c}: ${rounds.map((r) => figureText(r.votes[c]) || '-').join(', ')}`).join('; ')}</desc>
<line x1="${left}" y1="${y(0)}" x2="${WIDTH - right}" y2="${y(0)}" stroke="#767676"/>
<text x="${left - 6}" y="${y(0) + 4}" text-anchor="end" font-size="12" fill="#1a1a1a">0</text>
<text x="${left - 6}" y="${y(max) + 4}" text-anchor="end" font-size="12" fill="#1a1a1a">${figureText(max)}</text>
${rounds.map((r, i) => html`<text x="${x(i).toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="12" fill="#1a1a1a">R${r.number}</text>`)}
${
  quota !== undefined
    ? html`<line x1="${left}" y1="${y(figure(quota)).toFixed(1)}" x2="${WIDTH - right}" y2="${y(figure(quota)).toFixed(1)}" stroke="#a30000" stroke-dasharray="6 4"><title>Quota ${figureText(quota)}</title></line>
<text x="${left + 4}" y="${(y(figure(quota)) - 4).toFixed(1)}" font-size="12" fill="#a30000">quota ${quota}</text>`
    : ''
}
${lines}
</svg>`;
}

/**
 * Turnout over time: members who had voted, minute by minute, as a step line up to the
 * electorate. Its times are in the ballot's zone, like the rest of the page.
 */
export function turnoutChart(points: ReadonlyArray<{ at: Date; voted: number }>, eligible: number, zone: string): Html {
  if (points.length < 2)
    return html`<p class="hint">The chart of turnout over time appears once the ballot has been open a few minutes.</p>`;
  const id = nextId();
  const height = 220;
  const left = 50;
  const right = 20;
  const top = 10;
  const bottom = 30;
  // At most about 300 points: every n-th, always keeping the last.
  const step = Math.ceil(points.length / 300);
  const kept = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  const t0 = kept[0]!.at.getTime();
  const span = Math.max(1, kept[kept.length - 1]!.at.getTime() - t0);
  const max = Math.max(1, eligible);
  const x = (d: Date) => left + ((d.getTime() - t0) / span) * (WIDTH - left - right);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const path = kept.map((p) => `${x(p.at).toFixed(1)},${y(p.voted).toFixed(1)}`).join(' ');
  const label = (d: Date) => formatTime(d, zone);
  const last = kept[kept.length - 1]!;
  return html`<svg class="chart" role="img" aria-labelledby="${id}t ${id}d" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${id}t">Members who had voted, over time</title><desc id="${id}d">From ${kept[0]!.voted} at ${label(kept[0]!.at)} to ${last.voted} of ${eligible} at ${label(last.at)}</desc>
<line x1="${left}" y1="${y(0)}" x2="${WIDTH - right}" y2="${y(0)}" stroke="#767676"/>
<line x1="${left}" y1="${y(max)}" x2="${WIDTH - right}" y2="${y(max)}" stroke="#767676" stroke-dasharray="4 4"/>
<text x="${left - 6}" y="${y(0) + 4}" text-anchor="end" font-size="12" fill="#1a1a1a">0</text>
<text x="${left - 6}" y="${y(max) + 4}" text-anchor="end" font-size="12" fill="#1a1a1a">${eligible}</text>
<text x="${left}" y="${height - 10}" font-size="12" fill="#1a1a1a">${label(kept[0]!.at)}</text>
<text x="${WIDTH - right}" y="${height - 10}" text-anchor="end" font-size="12" fill="#1a1a1a">${label(last.at)}</text>
<polyline points="${path}" fill="none" stroke="${colourOf(0)}" stroke-width="2.5"/>
</svg>`;
}

/** A swatch for a legend in a table (an SVG square: no style attribute needed). */
export function swatch(colour: string): Html {
  return raw(
    `<svg class="swatch" width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${colour.replace(/[^#0-9A-Fa-f]/g, '')}"/></svg>`,
  );
}

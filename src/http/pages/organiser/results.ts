import type { ConferenceComparison, FlipFinding, PowerValue } from '@omov/core/delegates/index';
import type { DeclaredResult, Robustness } from '@omov/core/delegates/declared';
import { methodOf } from '@omov/core/methods/index';
import { DEFAULT_DELEGATES } from '@omov/core/domain/ballot';
import type { QuestionResult } from '@omov/core/domain/count';
import type { PositionRow } from '@omov/core/domain/positions';
import type { BallotResults, Turnout } from '../../../services/results';
import type { Round, TallyResult } from '@omov/core/tally/types';
import { barChart, figure, pairedBarChart, roundsChart, transfersChart, type TransferRow } from '../../charts';
import { type Html, html } from '../../html';
import { csvRow } from './common';
import {
  decimal,
  figureText as n,
  motionMargin,
  type MotionSummary,
  motionWords,
  percentText,
  thresholdWords,
} from '@omov/core/domain/figures';
import { parseRational } from '@omov/core/tally/rational';
import { recordFormatOf, turnoutRuleOf } from '@omov/core/record/record';
import { APPORTIONMENT_LABEL, BASIS_LABEL, DECLARED_RULE_LABEL } from './text';

/**
 * Results as pages: turnout, then per question the figures per option, the count round
 * by round (with charts of the transfers), the pairwise matrix of Condorcet methods, the
 * figures per voting unit and the delegate-conference comparison. Every number comes
 * from services/results (the same object the JSON API returns).
 */

const pct = (part: number, whole: number) => (whole === 0 ? '0.0' : ((part * 100) / whole).toFixed(1));

export function turnoutSection(t: Turnout, headingLevel: 2 | 3 = 2): Html {
  const h = (s: string) => (headingLevel === 2 ? html`<h2>${s}</h2>` : html`<h3>${s}</h3>`);
  return html`${h('Turnout')}
<p><strong>${t.voted}</strong> of <strong>${t.eligible}</strong> members voted (<strong>${t.percent}%</strong>).</p>
<progress max="${t.eligible || 1}" value="${t.voted}" aria-label="Turnout">${t.percent}%</progress>
${barChart({
  title: 'Turnout by branch (per cent of members who voted)',
  max: 100,
  bars: t.byBranch.map((b) => ({
    label: b.branch,
    value: Number(b.percent),
    display: `${b.percent}% (${b.voted}/${b.eligible})`,
  })),
})}
<div class="scroll" tabindex="0"><table><caption>Turnout by branch</caption><thead><tr><th scope="col">Branch</th><th class="num" scope="col">Eligible</th><th class="num" scope="col">Voted</th><th class="num" scope="col">%</th></tr></thead><tbody>
${t.byBranch.map((b) => html`<tr><th scope="row">${b.branch}</th><td class="num">${b.eligible}</td><td class="num">${b.voted}</td><td class="num">${b.percent}</td></tr>`)}
</tbody><tfoot><tr><th scope="row">All branches</th><td class="num">${t.eligible}</td><td class="num">${t.voted}</td><td class="num">${t.percent}</td></tr></tfoot></table></div>`;
}

function outcome(q: QuestionResult): Html {
  if (methodOf(q.method).motion) {
    const carried = q.count.summary?.carried;
    return html`<p class="${carried ? 'good' : 'bad'}">${carried ? 'Carried' : 'Not carried'}.</p>`;
  }
  return q.elected.length
    ? html`<p>${q.elected.length === 1 ? 'Chosen' : 'Elected'}: <strong>${q.elected.join(', ')}</strong>.</p>`
    : html`<p>No option was chosen.</p>`;
}

function roundsTable(count: TallyResult): Html {
  const rounds = count.rounds;
  const method = methodOf(count.method);
  const won = method.motion ? 'Outcome' : 'Elected';
  const status = (name: string): string => {
    for (const r of rounds) {
      if (r.elected.includes(name)) return `${won}${rounds.length > 1 ? ` (round ${r.number})` : ''}`;
      if (r.excluded.includes(name)) return `Excluded (round ${r.number})`;
    }
    return count.elected.includes(name) ? won : '';
  };
  const single = rounds.length === 1;
  const colName = (r: Round) => (single ? (method.labels.column ?? 'Votes') : `Round ${r.number}`);
  const extra = (label: string, pick: (r: Round) => string | undefined) =>
    rounds.some((r) => pick(r) !== undefined)
      ? html`<tr><th scope="row">${label}</th>${rounds.map((r) => html`<td class="num">${n(pick(r))}</td>`)}<td></td></tr>`
      : '';
  return html`<div class="scroll" tabindex="0"><table><caption>The count${single ? '' : ', round by round'}</caption>
<thead><tr><th scope="col">Candidate</th>${rounds.map((r) => html`<th class="num" scope="col">${colName(r)}</th>`)}<th scope="col">Result</th></tr></thead><tbody>
${count.candidates.map((c) => html`<tr><th scope="row">${c}</th>${rounds.map((r) => html`<td class="num">${n(r.votes[c]) || '–'}</td>`)}<td>${status(c)}</td></tr>`)}
${extra('Exhausted', (r) => r.exhausted)}
${extra('Lost to rounding', (r) => r.loss)}
${extra(method.labels.quota ?? 'Quota', (r) => r.quota)}
</tbody></table></div>
${rounds.length > 1 ? html`<h3>What happened in each round</h3><ol>${rounds.map((r) => html`<li value="${r.number}">${r.note}</li>`)}</ol>` : html`<p class="hint">${rounds[0]?.note ?? ''}</p>`}`;
}

function transfersOf(count: TallyResult): TransferRow[] {
  return count.rounds.flatMap((r) =>
    (r.transfers ?? []).map((t) => ({ round: r.number, from: t.from, kind: t.kind, to: t.to, exhausted: t.exhausted })),
  );
}

function transfersTable(rows: TransferRow[]): Html {
  return html`<details><summary>Every transfer as a table</summary><div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Round</th><th scope="col">From</th><th scope="col">To</th><th class="num" scope="col">Exhausted</th></tr></thead><tbody>
${rows.map(
  (t) =>
    html`<tr><th scope="row">${t.round}</th><td>${t.kind === 'surplus' ? `Surplus of ${t.from}` : `${t.from} (excluded)`}</td><td>${
      Object.entries(t.to)
        .map(([c, v]) => `${c} ${n(v)}`)
        .join('; ') || '—'
    }</td><td class="num">${n(t.exhausted)}</td></tr>`,
)}
</tbody></table></div></details>`;
}

function pairwiseTable(count: TallyResult): Html {
  const pw = count.pairwise;
  if (!pw) return html``;
  const c = count.candidates;
  return html`<h3>Head to head</h3>
<p>${pw.condorcetWinner ? html`<strong>${pw.condorcetWinner}</strong> beats every other option head to head (the Condorcet winner).` : 'No option beats every other head to head.'}</p>
<div class="scroll" tabindex="0"><table><caption>Members preferring the row's option to the column's (a win in bold)</caption>
<thead><tr><th scope="col"><span class="sr-only">Preferred</span></th>${c.map((x) => html`<th class="num" scope="col">over ${x}</th>`)}</tr></thead><tbody>
${c.map(
  (x, i) =>
    html`<tr><th scope="row">${x}</th>${c.map((_, j) => {
      if (i === j) return html`<td class="num">—</td>`;
      const v = pw.matrix[i]?.[j] ?? '0';
      const wins = figure(v) > figure(pw.matrix[j]?.[i]);
      return html`<td class="num">${wins ? html`<strong>${n(v)}</strong>` : n(v)}</td>`;
    })}</tr>`,
)}
</tbody></table></div>`;
}

function unitsTable(q: QuestionResult): Html {
  if (!q.byUnit.length) return html``;
  return html`<details><summary>Figures by voting unit (${q.byUnit.length})</summary>
<p class="hint">A unit is a branch of at least k voters, or a pool of smaller branches, so that no small branch's votes can be worked out.</p>
<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Unit</th><th class="num" scope="col">Voters</th>${q.options.map((o) => html`<th class="num" scope="col">${o.option}</th>`)}<th class="num" scope="col">Abstained</th></tr></thead><tbody>
${q.byUnit.map((u) => html`<tr><th scope="row">${u.unit}</th><td class="num">${u.voters}</td>${u.options.map((o) => html`<td class="num">${n(o.votes)}</td>`)}<td class="num">${n(u.abstentions)}</td></tr>`)}
</tbody></table></div></details>`;
}

const COMPARISON: Record<PositionRow['comparison'], string> = {
  matched: 'its members’ majority',
  differed: 'not its members’ majority',
  'no-majority': 'its members tied, or none voted',
  'no-position': 'no position taken',
  pooled: 'pooled for secrecy: not compared',
};

/** A meeting's position against what its members decided by a procedure (the agenda, the Condorcet winner). */
const PROCEDURE: Record<PositionRow['comparison'], string> = {
  matched: 'the meeting’s position',
  differed: 'not the meeting’s position',
  'no-majority': 'none: no winner, or none ranked',
  'no-position': 'no position taken',
  pooled: 'pooled for secrecy: not compared',
};

/**
 * Branch by branch, the meeting's position beside the branch members' own votes (a pooled
 * branch shows its position, and only its pool's votes), and the summary sentence.
 */
function positionsSection(q: QuestionResult): Html {
  const r = q.positions;
  if (!r) return html``;
  const options = q.options.map((o) => o.option);
  return html`<h3>Branch meetings’ positions</h3>
<p>${r.summary.text}</p>
${q.agenda ? html`<p class="hint">An amended motion: a meeting’s position is the variant it supported (the motion unamended, an amendment, or “the motion falls” for against), set beside the variant its members ranked first most often, and beside what its members decided by the ballot’s own procedures from their rankings alone: the agenda in the declared order, and the variant that beats every other head to head (the Condorcet winner).</p>` : ''}
${r.summary.procedures ? html`<p>${r.summary.procedures.text}</p>` : ''}
<div class="scroll" tabindex="0"><table><caption>Each branch meeting’s position beside its members’ ${q.figure}</caption><thead><tr><th scope="col">Branch</th><th class="num" scope="col">Members</th><th scope="col">Meeting’s position</th><th class="num" scope="col">Present</th>${options.map((o) => html`<th class="num" scope="col">${o}</th>`)}<th scope="col">Members’ majority</th>${q.agenda ? html`<th scope="col">Their agenda adopts</th><th scope="col">Their Condorcet winner</th>` : ''}</tr></thead><tbody>
${r.rows.map((row) => html`<tr><th scope="row">${row.branch}${row.pooled ? html` <span class="hint">(${row.unit})</span>` : ''}</th><td class="num">${row.members}</td><td>${row.position ?? 'No position'}</td><td class="num">${row.attendance ?? ''}</td>${options.map((o) => html`<td class="num">${row.votes ? String(row.votes[o] ?? 0) : '—'}</td>`)}<td>${row.majority ?? ''} <span class="hint">${COMPARISON[row.comparison]}</span></td>${row.procedures ? html`<td>${row.procedures.agenda ?? ''} <span class="hint">${PROCEDURE[row.procedures.agendaComparison]}</span></td><td>${row.procedures.condorcet ?? ''} <span class="hint">${PROCEDURE[row.procedures.condorcetComparison]}</span></td>` : q.agenda ? html`<td></td><td></td>` : ''}</tr>`)}
${r.pools.map((pool) => html`<tr><th scope="row">${pool.unit}</th><td></td><td></td><td></td>${options.map((o) => html`<td class="num">${String(pool.votes[o] ?? 0)}</td>`)}<td><span class="hint">the pool’s votes, published only as a whole</span></td>${q.agenda ? html`<td>${pool.procedures?.agenda ?? ''}</td><td>${pool.procedures?.condorcet ?? ''}</td>` : ''}</tr>`)}
</tbody></table></div>`;
}

/** Voting power as a percentage; the exact fraction, where there is one, on hover (and in the JSON). */
const power = (v: PowerValue): Html =>
  html`<td class="num"${v.exact ? html` title="${v.exact}"` : ''}>${percentText(v.exact ?? v.value, 2)}${v.standardError !== null ? ` ± ${percentText(v.standardError, 2)}` : ''}</td>`;
const share = (x: number | undefined) => (x === undefined ? '' : `${(x * 100).toFixed(1)}%`);
const plural = (n: number | string, one: string, many = `${one}s`) => `${n} ${String(n) === '1' ? one : many}`;

const list = (xs: ReadonlyArray<string>) => (xs.length ? xs.join(', ') : 'nothing');

/** A pool is not a delegation: it is named for what it is. */
const unitLabel = (b: { name: string; pooled?: ReadonlyArray<string>; affiliate?: boolean }) =>
  b.pooled
    ? html`Members in small branches, pooled for secrecy <span class="hint">(${b.pooled.join(', ')})</span>`
    : b.affiliate
      ? html`${b.name} <span class="hint">(affiliated delegation, its mandate as entered)</span>`
      : html`${b.name}`;

/** The headline of a comparison: what the conference would have decided, and how far that rests on lots. */
function conferenceHeadline(cc: ConferenceComparison, byOwnMethod = false): Html {
  const asDrawn = byOwnMethod
    ? `By the question's own method, the conference would choose ${list(cc.conference.elected)}.`
    : cc.agree
      ? `The conference would have decided the same: ${list(cc.omov.elected)}.`
      : `The conference would have decided differently: the members chose ${list(cc.omov.elected)}, the conference ${list(cc.conference.elected)}.`;
  const d = cc.lotDependence;
  if (!d) return html`<p class="${cc.agree ? 'good' : 'bad'}">${asDrawn}</p>`;
  const over =
    d.method === 'exact'
      ? `over all ${plural(d.draws, 'equally likely draw')} of the lots`
      : `over ${plural(d.draws, 'draw')} of the lots sampled with the seed “${d.seed ?? ''}”`;
  const chances = d.outcomes.map((o) => `${list(o.elected)} ${o.probability} (${share(o.share)})`).join(', ');
  return html`<p class="notice"><strong>This comparison depends on lots.</strong> ${
    d.method === 'exact' ? 'Exactly' : 'Estimated'
  } ${over}, the conference would choose ${chances}; it would agree with the members (${list(cc.omov.elected)}) with probability ${d.agree.probability} (${share(d.agree.share)}).</p>
<p>With the lots as drawn: ${asDrawn}</p>`;
}

/** The whole ballot's model is one model, maybe omov's default: the page says so, and where to find robustness. */
function wholeBallotModelNote(s: ConferenceComparison['settings']): Html {
  const d = DEFAULT_DELEGATES;
  const isDefault =
    'seats' in d &&
    'basis' in d &&
    s.basis === d.basis &&
    s.rule === d.rule &&
    s.method === d.method &&
    s.delegates === d.seats &&
    !s.splitMethod;
  const declare =
    'To compare under your own rule book, and to see how many models agree with the members, declare comparisons on the question before the ballot opens.';
  return isDefault
    ? html`<p class="notice">This is omov's default model, used because nobody chose one for this ballot: it is not your organisation's rule book, and one model alone says nothing of how robust the answer is. ${declare}</p>`
    : html`<p class="hint">This is the one model set for the whole ballot. ${declare}</p>`;
}

/**
 * `motion`: the question's threshold, for a motion (whose margin is the distance to it).
 * `declared`: the comparison is one of the question's declared ones, whose heading and words come before it.
 */
function conferenceSection(
  c: QuestionResult['conference'],
  motion?: string,
  declared = false,
  rule?: keyof typeof DECLARED_RULE_LABEL,
): Html {
  if (c === null) return html``;
  if ('error' in c)
    return html`<h3>Members' vote and a delegate conference</h3><p class="notice">The delegate comparison does not apply to this question: ${c.error}.</p>`;
  const cc: ConferenceComparison = c;
  const omov = cc.omov;
  const conf = cc.conference;
  const s = cc.settings;
  return html`${declared ? '' : html`<h3>Members' vote and a delegate conference</h3>${wholeBallotModelNote(s)}`}
<p>${plural(s.delegates, 'delegate')}, shared by ${BASIS_LABEL[s.basis].toLowerCase()} (${s.method === 'bands' ? 'a band table' : s.method === 'fixed' ? 'fixed numbers' : APPORTIONMENT_LABEL[s.method]}${s.splitMethod ? `; split by ${APPORTIONMENT_LABEL[s.splitMethod]}` : ''}). ${DECLARED_RULE_LABEL[rule ?? s.rule]}.</p>
${conferenceHeadline(cc, declared)}
${cc.pooling ? html`<p class="${cc.pooling.changed ? 'bad' : 'hint'}">Some members are in small branches whose votes were pooled for secrecy; a pool is not a delegation. ${cc.pooling.note}</p>` : ''}
<div class="scroll" tabindex="0"><table><caption>Side by side</caption><thead><tr><th scope="col"><span class="sr-only">Figure</span></th><th scope="col">Members (one member, one vote)</th><th scope="col">Delegate conference</th></tr></thead><tbody>
<tr><th scope="row">Result</th><td>${list(omov.elected)}</td><td>${list(conf.elected)}</td></tr>
${cc.options.map((o) => html`<tr><th scope="row">${o}</th><td>${n(omov.totals[o] ?? '0')} votes (${share(omov.shares[o])})</td><td>${n(conf.delegates[o] ?? '0')} delegate votes (${share(conf.shares[o])})</td></tr>`)}
<tr><th scope="row">Margin</th><td>${motion ? motionMargin({ yes: omov.totals[cc.options[0]!] ?? '0', no: omov.totals[cc.options[1]!] ?? '0', threshold: motion, yesName: cc.options[0] }).sentence : omov.margin ? `${plural(n(omov.margin.votes), 'vote')} over ${omov.margin.over} (${share(omov.margin.share)}${omov.margin.basis === 'final round' ? ', final round' : ''})` : '—'}</td><td>${motion ? motionMargin({ yes: conf.delegates[cc.options[0]!] ?? '0', no: conf.delegates[cc.options[1]!] ?? '0', threshold: motion, yesName: cc.options[0], noun: 'delegate vote' }).sentence : conf.margin ? `${plural(n(conf.margin.votes), 'delegate vote')} over ${conf.margin.over} (${share(conf.margin.share)})` : '—'}</td></tr>
<tr><th scope="row">Smallest change that turns the result</th><td>${omov.flip ? omov.flip.note : 'not computed for this method'}</td><td>${conf.flip ? conf.flip.note : 'not computed for this method'}</td></tr>
</tbody></table></div>
${pairedBarChart({
  title: 'Share of the vote: members against delegates',
  legend: ['Members', 'Delegates'],
  max: 1,
  rows: cc.options.map((o) => ({
    label: o,
    a: omov.shares[o] ?? 0,
    b: conf.shares[o] ?? 0,
    aText: share(omov.shares[o] ?? 0),
    bText: share(conf.shares[o] ?? 0),
  })),
})}
${cc.paradoxes.length ? html`<ul>${cc.paradoxes.map((p) => html`<li class="bad">${p.description}${cc.pooling?.changed ? ' Pooling for secrecy changed this answer (see above).' : ''}</li>`)}</ul>` : ''}
<h4>Delegates by unit</h4>
<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Unit</th><th class="num" scope="col">Members</th><th class="num" scope="col">Shared by</th><th class="num" scope="col">Votes</th><th class="num" scope="col">Delegates</th><th class="num" scope="col">Delegates per member</th><th class="num" scope="col">Representation</th><th scope="col">Delegate votes</th></tr></thead><tbody>
${cc.branches.map(
  (b) =>
    html`<tr><th scope="row">${unitLabel(b)}</th><td class="num">${b.members ?? ''}</td><td class="num">${b.population}</td><td class="num">${n(b.votes)}</td><td class="num">${n(b.delegates)}</td><td class="num">${b.delegatesPerMember === null ? '' : b.delegatesPerMember.toFixed(4)}</td><td class="num">${b.representation === null ? '' : `${b.representation.toFixed(3)}${b.verdict && b.verdict !== 'even' ? ` (${b.verdict})` : ''}`}</td><td>${
      Object.entries(b.conference)
        .filter(([, v]) => figure(v) > 0)
        .map(([o, v]) => `${o} ${n(v)}`)
        .join(', ') || '—'
    }</td></tr>`,
)}
</tbody></table></div>
${
  cc.power
    ? html`<h4>Voting power in the conference</h4>
<p class="hint">A motion needs ${n(cc.power.quota)} of ${n(cc.power.totalDelegates)} delegate votes. Banzhaf: how often a unit's delegation turns a losing coalition into a winning one; Shapley–Shubik: how often it is pivotal in a random order. “Per member” divides by the unit's share of all members: 1 means a member there weighs as much as anywhere. (${cc.power.method.banzhaf === 'exact' ? 'Exact: hover over a percentage for the fraction.' : 'Estimated by sampling.'})</p>
<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Unit</th><th class="num" scope="col">Delegates</th><th class="num" scope="col">Banzhaf</th><th class="num" scope="col">Shapley–Shubik</th><th class="num" scope="col">Banzhaf per member</th><th class="num" scope="col">Shapley–Shubik per member</th></tr></thead><tbody>
${cc.power.branches.map((b, i) => html`<tr><th scope="row">${cc.branches[i] ? unitLabel(cc.branches[i]) : b.name}</th><td class="num">${n(b.delegates)}</td>${power(b.banzhaf)}${power(b.shapleyShubik)}<td class="num">${b.perMember ? b.perMember.banzhaf.toFixed(3) : ''}</td><td class="num">${b.perMember ? b.perMember.shapleyShubik.toFixed(3) : ''}</td></tr>`)}
</tbody></table></div>
${cc.power.notes.length ? html`<p class="hint">${cc.power.notes.join(' ')}</p>` : ''}`
    : ''
}
<p class="hint">Disproportionality (percentage points): options, members' shares against delegates' — Gallagher ${cc.disproportionality.options.gallagher}, Loosemore–Hanby ${cc.disproportionality.options.loosemoreHanby}; units, population against delegates — Gallagher ${cc.disproportionality.branches.gallagher}, Loosemore–Hanby ${cc.disproportionality.branches.loosemoreHanby}.</p>
${cc.ties.length ? html`<p class="hint">Lots drawn: ${cc.ties.map((t) => `${t.stage}: ${t.note}`).join(' ')}</p>` : ''}
${cc.notes.length ? html`<p class="hint">${cc.notes.join(' ')}</p>` : ''}`;
}

/** What the procedure decided, against the members' answer, and how far it rests on lots. */
function declaredHeadline(d: DeclaredResult, members: ReadonlyArray<string>): Html {
  if (d.error !== undefined || d.elected === null)
    return html`<p class="notice">This comparison could not be counted: ${d.error ?? 'no result'}.</p>`;
  const decided = d.elected.length ? list(d.elected) : 'nothing';
  const body = d.council ? 'council' : 'conference';
  const how = (method: string) => (method === 'exact' ? 'exactly' : 'estimated by sampling');
  const lots = d.council
    ? html` <strong>It rests on one draw by lot:</strong> ${how(d.council.chance.method)}, over all draws of the council, it decides otherwise than the members with probability ${d.council.chance.differs.probability} (${share(d.council.chance.differs.share)}).`
    : d.attendance && d.lots?.probability
      ? html` <strong>It rests on who attended the meetings:</strong> ${how(d.attendance.conference.method)}, over meetings of the sizes entered, the conference decides differently from the members with probability ${d.attendance.conference.differs.probability} (${share(d.attendance.conference.differs.share)}).`
      : d.lots
        ? d.lots.probability !== null
          ? html` <strong>It depends on lots:</strong> ${how(d.lots.method)}, the conference agrees with the members with probability ${d.lots.probability} (${share(d.lots.share ?? 0)}).`
          : html` <strong>${d.attendance ? 'It rests on who attended the meetings' : 'Lots were drawn in the delegate count'}</strong>, so with other ${d.attendance ? 'meetings' : 'lots'} this could differ.`
        : '';
  return html`<p class="${d.agree ? 'good' : 'bad'}">${
    d.agree
      ? `The ${body} would have decided as the members did: ${decided}.`
      : `The ${body} would have decided differently: the members chose ${list(members)}, the ${body} ${decided}.`
  }${lots}</p>`;
}

function procedureDetail(d: DeclaredResult): Html {
  const p = d.procedure;
  if (!p || p.kind === 'method') return html``;
  if (p.rounds)
    return html`<ol>${p.rounds.map(
      (r) =>
        html`<li value="${r.number}">${Object.entries(r.votes)
          .map(([o, v]) => `${o} ${n(v)}`)
          .join(', ')}. ${r.note}</li>`,
    )}</ol>`;
  if (p.shares)
    return html`<p>${Object.entries(p.shares)
      .map(([o, v]) => `${o} ${percentText(v, 1)}`)
      .join(', ')}. ${p.note}</p>`;
  return html`<p>${p.note}</p>`;
}

/** The same delegates mandated by their branch meetings' positions, beside the modelled conference. */
function mandatedLine(d: DeclaredResult): Html {
  const m = d.mandated;
  if (!m) return html``;
  if (m.error) return html`<p>Mandated by the branch meetings: not counted (${m.error}).</p>`;
  const votes = Object.entries(m.totals)
    .map(([o, v]) => `${o} ${v}`)
    .join(', ');
  const rule = m.rule === 'majority' ? 'followed their members’ majority' : 'abstained';
  return html`<p class="${m.agree ? 'good' : 'bad'}">Mandated by the branch meetings (delegates of branches without a position ${rule}, as declared): ${votes}${m.abstained ? `, ${m.abstained} abstaining` : ''}. ${m.elected === null ? 'No option has the most delegate votes.' : m.agree ? `That is the members’ answer: ${m.elected}.` : `That is not the members’ answer: the mandated conference chooses ${m.elected}.`}</p>`;
}

/** Delegates chosen by meeting attendees: each branch's chance of a meeting with another majority, and the conference's. */
function attendanceDetail(d: DeclaredResult): Html {
  const a = d.attendance;
  if (!a) return html``;
  const c = a.conference;
  return html`<p class="hint">${a.assumption}</p>
<div class="scroll" tabindex="0"><table><caption>Meetings: the chance that each branch's meeting has another majority</caption><thead><tr><th scope="col">Branch</th><th scope="col">Attended</th><th scope="col">Voters</th><th scope="col">Delegates</th><th scope="col">Its voters' majority</th><th scope="col">A meeting of that size differs</th></tr></thead><tbody>
${a.branches.map(
  (b) =>
    html`<tr><th scope="row">${b.name}</th><td>${b.attendance}</td><td>${b.voters}</td><td>${b.delegates}</td><td>${b.winner ?? '—'}</td><td>${b.differs ? `${b.differs.probability} (${share(b.differs.share)})${b.differs.method === 'sampled' ? ', sampled' : ''}` : 'no votes'}</td></tr>`,
)}
</tbody></table></div>
<p>Over the meetings (${c.method === 'exact' ? 'exactly, every meeting of each branch listed' : `sampled${c.seed ? ` with the seed “${c.seed}”, ${c.draws} draws` : `, meetings too many to list drawn from the seed “${a.seed}/meeting”`}`}), the conference chooses ${c.outcomes.map((o) => `${o.elected.length ? list(o.elected) : 'nothing'} with probability ${o.probability} (${share(o.share)})`).join('; ')}.</p>`;
}

/** A balance within delegations: who each delegation must include, and whether the branch can (its votes are unchanged). */
function balanceDetail(d: DeclaredResult): Html {
  const b = d.balance;
  if (!b) return html``;
  return html`<div class="scroll" tabindex="0"><table><caption>Balance: at least ${b.share} of each delegation ${b.label}</caption><thead><tr><th scope="col">Unit</th><th class="num" scope="col">Delegates</th><th class="num" scope="col">At least (${b.label})</th><th class="num" scope="col">${b.label} among its members (entered)</th><th scope="col">Can it send them?</th></tr></thead><tbody>
${b.units.map(
  (u) =>
    html`<tr><th scope="row">${u.name}</th><td class="num">${u.delegates}</td><td class="num">${u.required}</td><td class="num">${u.group === null ? 'not entered' : u.group}</td><td>${u.met === null ? 'unknown' : u.met ? 'yes' : 'no'}</td></tr>`,
)}
</tbody></table></div>
<p>In all, at least ${b.required} of the ${plural(b.delegates, 'delegate')} are ${b.label}, against ${b.group} of ${plural(b.members, 'member')} by the counts entered.${b.short.length ? ` ${list(b.short)} ${b.short.length === 1 ? 'has' : 'have'} fewer ${b.label} than the rule asks them to send.` : ''}</p>
<p class="hint">${b.effect}</p>`;
}

/** Regional tiers: each regional conference, its national delegates, and the national decision against one tier. */
function tiersDetail(d: DeclaredResult): Html {
  const t = d.tiers;
  if (!t) return html``;
  const votes = (r: Readonly<Record<string, string | number>>) =>
    Object.entries(r)
      .filter(([, v]) => figure(String(v)) > 0)
      .map(([o, v]) => `${o} ${n(String(v))}`)
      .join(', ') || '—';
  return html`<div class="scroll" tabindex="0"><table><caption>Regional tiers: the regional conferences and their national delegates</caption><thead><tr><th scope="col">Region</th><th scope="col">Branches</th><th class="num" scope="col">Members</th><th scope="col">Regional delegate votes</th><th scope="col">The region decides</th><th class="num" scope="col">National delegates</th><th scope="col">Their votes</th></tr></thead><tbody>
${t.regions.map(
  (r) =>
    html`<tr><th scope="row">${r.name}</th><td>${r.branches.join(', ')}</td><td class="num">${r.members}</td><td>${votes(r.delegateVotes)}</td><td>${r.elected.length ? list(r.elected) : 'nothing'}</td><td class="num">${r.delegates}</td><td>${votes(r.national)}</td></tr>`,
)}
</tbody></table></div>
<p class="${t.changed ? 'bad' : 'hint'}">The national conference: ${votes(t.national.delegates)}. ${t.note}</p>
${t.lots.length ? html`<p class="hint">Lots drawn in the tiers: ${t.lots.join(' ')}</p>` : ''}`;
}

/** A council chosen by lot: the one draw, its count, and the chance over every draw. */
function councilDetail(d: DeclaredResult): Html {
  const c = d.council;
  if (!c) return html``;
  const last = c.tally.rounds[c.tally.rounds.length - 1];
  return html`<p>Drawn: ${plural(c.size, 'ballot')} of the ${c.ballots} in the box on this question (${c.drawn.join(', ')}: their places in the box's ballots put in order by branch, weight and answer, which names no member). The draw's seed is SHA-256 of the committed seed “${c.seed.committed}” and of the box (${c.seed.box}): ${c.seed.draw}.</p>
${c.strata ? html`<p>Drawn from each branch in proportion to its ballots: ${c.strata.map((x) => `${x.unit} ${x.seats} of ${x.ballots}`).join(', ')}.</p>` : ''}
${
  last
    ? html`<p>The council's count: ${Object.entries(last.votes)
        .map(([o, v]) => `${o} ${n(v)}`)
        .join(', ')}${last.note ? `. ${last.note}` : ''}</p>`
    : ''
}
<p class="hint">Over every draw of the council (${c.chance.method === 'exact' ? 'exactly, by the hypergeometric distribution' : `sampled: ${c.chance.draws} draws from the seed “${c.chance.seed ?? ''}”`}), it decides as the members did with probability ${c.chance.agree.probability} (${share(c.chance.agree.share)}).${c.notes.length ? ` ${c.notes.join(' ')}` : ''}</p>`;
}

/** The members whose changed papers would have flipped the conference, and the members' vote: the witnesses, replayed. */
function flipDetail(d: DeclaredResult): Html {
  const f = d.flip;
  if (!f) return html``;
  const witness = (x: FlipFinding) =>
    x.changes
      .map(
        (c) =>
          `${c.branch ?? 'in any branch'}: ${Object.entries(c.from)
            .map(([paper, k]) => `${k} voting ${paper}`)
            .join(', ')} would vote ${c.to} instead`,
      )
      .join('; ');
  const how = (x: FlipFinding) =>
    x.exact ? 'no fewer could' : 'an upper bound: the search is not exhaustive, fewer might do';
  return html`<p class="flip">${f.summary}</p>
<details><summary>The smallest flips behind “${d.label}”: which members, and what they would change</summary><ul>
${f.conference ? html`<li>The conference (${how(f.conference)}): ${witness(f.conference)}.</li>` : ''}
${f.members ? html`<li>The members' vote (${how(f.members)}): ${witness(f.members)}.</li>` : ''}
${f.notes.map((x) => html`<li>${x}</li>`)}
</ul><p class="hint">Each change was replayed through the real count before it was shown: with it, the ${d.council ? 'council' : 'conference'} or the members would have decided otherwise, with no lot drawn.</p></details>`;
}

/** The question's declared comparisons, each with its description, then the robustness view. */
function declaredSection(q: QuestionResult, motion?: string): Html {
  if (!q.comparisons?.length) return html``;
  return html`<h3>Delegate comparisons declared before the ballot opened</h3>
<p class="hint">Each comparison was declared, and committed, before any vote was cast: none was chosen after the result was known.</p>
${q.comparisons.map(
  (d, j) => html`<section aria-labelledby="q-${q.id}-c${j}"><h4 id="q-${q.id}-c${j}">${d.label}</h4>
<p class="model">${d.description}</p>
${declaredHeadline(d, q.elected)}
${flipDetail(d)}
${procedureDetail(d)}
${mandatedLine(d)}
${attendanceDetail(d)}
${councilDetail(d)}
${balanceDetail(d)}
${tiersDetail(d)}
${d.comparison ? html`<details><summary>${d.tiers ? html`The one-tier delegate count behind “${d.label}” (the branches' delegates in one conference)` : html`The delegate count behind “${d.label}”`}</summary>${conferenceSection(d.comparison, motion, true, d.declared.model.method === 'sortition' ? undefined : d.declared.model.rule)}</details>` : ''}
</section>`,
)}
${q.robustness ? robustnessView(q.robustness, q.comparisons) : ''}`;
}

const agreeText = (x: { agree: boolean | null; error?: string }) =>
  x.agree === null ? `not counted${x.error ? `: ${x.error}` : ''}` : x.agree ? 'agrees' : 'differs';

const lotsText = (lots: { probability: string | null; share: number | null } | undefined) =>
  !lots
    ? 'no lots'
    : lots.probability === null
      ? 'lots were drawn'
      : `agrees with probability ${lots.probability} (${share(lots.share ?? 0)})`;

/** How many comparisons agree with the members: the declared ones, and the standard sweep of common models. */
function robustnessView(r: Robustness, declared: ReadonlyArray<DeclaredResult>): Html {
  return html`<h3>How robust is the members' answer?</h3>
<p><strong>${r.summary}</strong></p>
<div class="scroll" tabindex="0"><table><caption>Across the declared comparisons</caption><thead><tr><th scope="col">Comparison</th><th scope="col">The conference would choose</th><th scope="col">Against the members</th><th scope="col">Over the lots</th></tr></thead><tbody>
${declared.map(
  (d) =>
    html`<tr><th scope="row">${d.label}</th><td>${d.elected ? (d.elected.length ? list(d.elected) : 'nothing') : '—'}</td><td>${agreeText(d)}</td><td>${lotsText(d.lots)}</td></tr>`,
)}
</tbody></table></div>
<div class="scroll" tabindex="0"><table><caption>Across the standard sweep of common models (100 delegates shared by members; the question's own method)</caption><thead><tr><th scope="col">Model</th><th scope="col">The conference would choose</th><th scope="col">Against the members</th><th scope="col">Over the lots</th></tr></thead><tbody>
${r.sweep.models.map(
  (m) =>
    html`<tr><th scope="row"><span title="${m.description}">${m.name}</span></th><td>${m.elected ? list(m.elected) : '—'}</td><td>${agreeText(m)}</td><td>${lotsText(m.lots)}</td></tr>`,
)}
</tbody></table></div>`;
}

/** A motion's exact summary, if the count carries one (the yesno engine's). */
function motionSummaryOf(q: QuestionResult): MotionSummary | null {
  const s = q.count.summary;
  return s && typeof s.yes === 'string' && typeof s.no === 'string' && typeof s.threshold === 'string'
    ? (s as MotionSummary)
    : null;
}

/**
 * A motion's result and its rule in words (motionWords): decimals, the threshold in words and
 * the distance to it. The engine's own notes, with exact fractions, are in the JSON.
 */
function motionText(q: QuestionResult): { result: string; notes: string[] } {
  const s = motionSummaryOf(q);
  if (!s) return { result: q.count.rounds[0]?.note ?? '', notes: [...(q.count.notes ?? [])] };
  const [yesName, noName] = q.count.candidates;
  // Results stored before record format 3 measured a quorum against the members who answered the question.
  const w = motionWords(s, yesName, noName, turnoutRuleOf(recordFormatOf([q])));
  // The engine's first note is its rule; any others (a withdrawn option) are kept.
  return { result: w.result, notes: [w.rule, ...(q.count.notes ?? []).slice(1)] };
}

/** An amended motion: the conference's sequential agenda beside the Condorcet count, and whether its order mattered. */
function agendaSection(q: QuestionResult): Html | '' {
  const a = q.agenda;
  if (!a) return '';
  const orders = (os: ReadonlyArray<ReadonlyArray<string>>) => os.map((o) => o.join(' → ')).join('; ');
  const other = a.outcomes.filter((o) => o.outcome !== a.outcome);
  return html`<h3>As a conference would vote: the agenda</h3>
<p>The amendments were taken in the order declared before the ballot opened: ${a.declaredOrder.join(' → ')}. Each step puts the next amendment against the text as it stands, from the members’ rankings${a.steps.length > a.declaredOrder.length ? '; last, the text as it stands against “the motion falls”' : ''}. A tie keeps the text as it stands.</p>
<div class="scroll" tabindex="0"><table><caption>The declared agenda, step by step</caption><thead><tr><th scope="col">Step</th><th scope="col">Text as it stands</th><th class="num" scope="col">Members preferring it</th><th scope="col">Against</th><th class="num" scope="col">Members preferring it</th><th scope="col">Stands after</th></tr></thead><tbody>
${a.steps.map((st, i) => html`<tr><th scope="row">${String(i + 1)}</th><td>${st.standing}</td><td class="num">${n(st.forStanding)}</td><td>${st.challenger}</td><td class="num">${n(st.forChallenger)}</td><td>${st.winner}</td></tr>`)}
</tbody></table></div>
<p><strong>The agenda adopts: ${a.outcome}.</strong> The ranked count (Schulze) ${q.elected[0] ? html`elects: <strong>${q.elected[0]}</strong>` : 'elects no option'}${q.elected[0] === a.outcome ? ' — the same.' : ' — another.'}</p>
${a.orderMatters ? html`<p class="bad">The order mattered: another order of the amendments would have adopted another text. ${other.map((o) => html`${o.outcome}, in the order ${orders(o.orders)}. `)}The declared outcome is reached by the order ${orders(a.outcomes[0]!.orders)}.</p>` : html`<p>The order did not matter: every order of the amendments adopts the same text.</p>`}`;
}

/**
 * An amended question: the version its question's count was made over, the options struck
 * from every ranking, and, when the ranked count elected another version, the result under it.
 */
function versionsSection(q: QuestionResult): Html | '' {
  const v = q.versions;
  if (!v) return '';
  const o = v.otherwise;
  return html`<h3>Which version counted</h3>
<p><strong>The version adopted: ${v.adopted}</strong> (by the declared agenda of “${v.question}”). Members ranked the options of every version; only the adopted version’s options were counted. ${v.struck.length ? html`Struck from every ranking: ${v.struck.join(', ')}; a member’s vote passed to their highest-ranked option still standing.` : 'No option was struck.'}</p>
${
  o
    ? html`<p class="bad">Under ${o.version}, which the ranked count (Schulze) elected, ${o.struck.length ? `with ${o.struck.join(', ')} struck, ` : ''}the result would have been: ${o.elected.length ? html`<strong>${o.elected.join(', ')}</strong>` : 'no option'} (${o.options.map((x) => `${x.option} ${n(x.votes)}`).join('; ')}).</p>`
    : html`<p>The ranked count (Schulze) elected the same version.</p>`
}`;
}

export function questionSection(q: QuestionResult, number: number, downloads?: { ballotId: string }): Html {
  const method = methodOf(q.method);
  const kind = method.answer;
  const total = q.options.reduce((s, o) => s + figure(o.votes), 0);
  const transfers = transfersOf(q.count);
  const inRounds = q.count.rounds.length > 1;
  const motion = method.motion ? motionText(q) : null;
  const notes = motion ? motion.notes : (q.count.notes ?? []);
  return html`<section aria-labelledby="q-${q.id}">
<h2 id="q-${q.id}">${number}. ${q.title}</h2>
<p class="hint">${method.labels.name}${q.count.rules ? ` — ${method.labels.rules?.[q.count.rules] ?? q.count.rules}` : ''}${q.count.seats > 1 ? `; ${q.count.seats} seats` : ''}.</p>
${outcome(q)}
<div class="scroll" tabindex="0"><table><caption>${q.figure === 'votes' ? 'Votes' : q.figure.charAt(0).toUpperCase() + q.figure.slice(1)} per option</caption><thead><tr><th scope="col">Option</th><th class="num" scope="col">${q.figure}</th><th class="num" scope="col">Share</th><th scope="col"><span class="sr-only">Result</span></th></tr></thead><tbody>
${q.options.map((o) => html`<tr><th scope="row">${o.option}</th><td class="num">${n(o.votes)}</td><td class="num">${pct(figure(o.votes), total)}%</td><td>${q.elected.includes(o.option) ? (method.motion ? '' : 'elected') : ''}</td></tr>`)}
<tr><th scope="row">Abstentions</th><td class="num">${n(q.abstentions)}</td><td></td><td></td></tr></tbody></table></div>
${barChart({ title: `${q.title}: ${q.figure} per option`, bars: q.options.map((o) => ({ label: o.option, value: figure(o.votes), display: n(o.votes), highlight: !method.motion && q.elected.includes(o.option) })) })}
${motion ? html`<p>${motion.result}</p>` : ''}
${agendaSection(q)}
${versionsSection(q)}
${q.paradoxes?.length ? html`<h3>Across the yes/no questions</h3><ul>${q.paradoxes.map((p) => html`<li class="bad">${p.description}</li>`)}</ul>` : ''}
${q.count.rounds.length && (kind === 'ranking' || kind === 'scores' || inRounds) ? roundsTable(q.count) : ''}
${inRounds ? roundsChart(q.count.candidates, q.count.rounds) : ''}
${transfers.length ? html`${transfersChart(q.count.candidates, transfers)}${transfersTable(transfers)}` : ''}
${method.pairwise || q.count.pairwise ? pairwiseTable(q.count) : ''}
${q.count.ties.length ? html`<h3>Ties</h3><ul>${q.count.ties.map((t) => html`<li>${t.round !== null ? `Round ${t.round}: ` : ''}${t.between.join(', ')} — ${t.brokenBy === 'lot' ? 'broken by lot' : 'broken by the rules'}: ${t.chosen}. ${t.note}</li>`)}</ul><p class="hint">Lots are drawn from the seed “${q.count.seed}”, fixed before any vote was cast; a recount draws the same.</p>` : ''}
${notes.length ? html`<p class="hint">${notes.join(' ')}</p>` : ''}
${unitsTable(q)}
${positionsSection(q)}
${conferenceSection(q.conference, method.motion ? String(q.count.summary?.threshold ?? '1/2') : undefined)}
${declaredSection(q, method.motion ? String(q.count.summary?.threshold ?? '1/2') : undefined)}
${downloads && kind === 'ranking' ? html`<p><a href="/ballots/${downloads.ballotId}/questions/${q.id}/ballots.blt" download>Download this question's ballots (BLT)</a></p>` : ''}
</section>`;
}

export function resultsBody(r: BallotResults, opts: { receipts?: string[]; downloads?: boolean } = {}): Html {
  return html`${turnoutSection(r.turnout)}
${r.questions.map((q, i) => questionSection(q, i + 1, opts.downloads ? { ballotId: r.ballot.id } : undefined))}
${opts.receipts ? html`<h2>Receipts</h2><p class="hint">Every receipt code in the ballot box. Find yours to check your vote was counted.</p><p>${opts.receipts.join(' · ')}</p>` : ''}`;
}

/**
 * One row per option per question, overall and per voting unit; then the delegate
 * comparison: the conference's delegate votes, with the pools split (when a unit is a
 * pool), and the probability of each outcome over the lots (when it rests on lots).
 */
export function resultsCsv(r: BallotResults): string {
  // Votes as numbers a spreadsheet reads (at most two decimals, never "143/2", which it takes for
  // text or a date); the exact values are in results.json.
  const lines = [csvRow(['question_number', 'question', 'method', 'unit', 'option', 'figure', 'votes', 'elected'])];
  r.questions.forEach((q, i) => {
    const row = (unit: string, option: string, votes: string, elected: string, figure: string = q.figure) =>
      lines.push(csvRow([i + 1, q.title, q.method, unit, option, figure, n(votes), elected]));
    const yes = (xs: ReadonlyArray<string>, o: string) => (xs.includes(o) ? 'yes' : 'no');
    for (const o of q.options) row('(all)', o.option, o.votes, yes(q.elected, o.option));
    row('(all)', '(abstentions)', q.abstentions, '');
    // A motion's distance to its threshold, as the page says it (not No minus Yes).
    const motion = motionSummaryOf(q);
    if (motion && motion.quorumMet !== false) {
      const m = motionMargin({ ...motion, yesName: q.count.candidates[0] });
      const words = thresholdWords(parseRational(motion.threshold));
      const what = m.carried
        ? `votes to spare over ${words}`
        : `votes short of ${words}${m.moreThan ? ' (more than this needed)' : ''}`;
      if (m.votes) row('(all)', `(${what})`, decimal(m.votes), '', 'margin');
    }
    // An amended motion: each step of the declared agenda, and the outcome every order reaches.
    q.agenda?.steps.forEach((st, k) => {
      row(`(agenda step ${k + 1})`, st.standing, st.forStanding, yes([st.winner], st.standing), 'members preferring');
      row(
        `(agenda step ${k + 1})`,
        st.challenger,
        st.forChallenger,
        yes([st.winner], st.challenger),
        'members preferring',
      );
    });
    for (const o of q.agenda?.outcomes ?? [])
      row(
        '(agenda over every order)',
        o.outcome,
        String(o.orders.length),
        yes([q.agenda!.outcome], o.outcome),
        'orders',
      );
    // An amended question: the options struck (the adopted version's are counted above), and the count under Schulze's version.
    if (q.versions) {
      for (const o of q.versions.struck) row(`(struck: not in ${q.versions.adopted})`, o, '0', 'no');
      const other = q.versions.otherwise;
      for (const o of other?.options ?? [])
        row(`(under ${other!.version})`, o.option, o.votes, yes(other!.elected, o.option));
    }
    for (const u of q.byUnit) {
      for (const o of u.options) row(u.unit, o.option, o.votes, '');
      row(u.unit, '(abstentions)', u.abstentions, '');
    }
    // Each branch meeting's position and attendance; the comparison with its members' votes in the last column.
    for (const b of q.positions?.rows ?? [])
      row(
        `(branch meeting: ${b.branch})`,
        b.position ?? '(no position)',
        String(b.attendance ?? 0),
        b.comparison,
        'meeting attendance',
      );
    // On an amended motion: what each branch's (and pool's) members decided by the agenda and by Condorcet, and the comparison.
    for (const b of q.positions?.rows ?? [])
      if (b.procedures) {
        row(
          `(branch members' agenda: ${b.branch})`,
          b.procedures.agenda ?? '(none)',
          '',
          b.procedures.agendaComparison,
          'adopted',
        );
        row(
          `(branch members' Condorcet: ${b.branch})`,
          b.procedures.condorcet ?? '(none)',
          '',
          b.procedures.condorcetComparison,
          'Condorcet winner',
        );
      }
    for (const p of q.positions?.pools ?? [])
      if (p.procedures) {
        row(`(branch members' agenda: ${p.unit})`, p.procedures.agenda ?? '(none)', '', '', 'adopted');
        row(`(branch members' Condorcet: ${p.unit})`, p.procedures.condorcet ?? '(none)', '', '', 'Condorcet winner');
      }
    for (const d of q.comparisons ?? []) {
      // A council by lot: its elected, and the probability over every draw that it agrees with the members.
      if (d.council)
        row(`(declared: ${d.label})`, list(d.council.elected), d.council.chance.agree.probability, '', 'agreement');
      // Meeting attendees: each branch's chance of a meeting with another majority.
      for (const b of d.attendance?.branches ?? [])
        if (b.differs)
          row(
            `(declared: ${d.label}, meeting of ${b.name})`,
            b.winner ?? '',
            b.differs.probability,
            '',
            'probability differs',
          );
      for (const o of d.attendance?.conference.outcomes ?? [])
        row(
          `(declared: ${d.label}, over meetings, ${d.attendance!.conference.method})`,
          list(o.elected),
          o.probability,
          '',
          'probability',
        );
      // A balance within delegations: the least of the group each unit must send, and whether it can.
      for (const u of d.balance?.units ?? [])
        row(
          `(declared: ${d.label}, balance: ${d.balance!.label})`,
          u.name,
          String(u.required),
          u.met === null ? '' : u.met ? 'yes' : 'no',
          `required of ${u.delegates} delegates`,
        );
      // Regional tiers: each region's decision and national delegates, then the national conference.
      for (const r of d.tiers?.regions ?? [])
        for (const o of d.comparison?.options ?? [])
          row(
            `(declared: ${d.label}, region ${r.name})`,
            o,
            String(r.national[o] ?? 0),
            yes(r.elected, o),
            'national delegate votes',
          );
      if (d.tiers)
        for (const o of d.comparison?.options ?? [])
          row(
            `(declared: ${d.label}, national)`,
            o,
            String(d.tiers.national.delegates[o] ?? 0),
            yes(d.tiers.national.elected, o),
            'delegate votes',
          );
      // The smallest flips: members (and branches) whose changed papers flip the conference, and the members' vote.
      const flips = [
        ['conference', d.flip?.conference],
        ["members' vote", d.flip?.members],
      ] as const;
      for (const [side, f] of flips) {
        if (!f) continue;
        const what = `(smallest flip: ${d.label}, ${side})`;
        row(what, f.to, String(f.members), '', f.exact ? 'members, exactly' : 'members, at most');
        if (f.branches !== null) row(what, f.to, String(f.branches), '', 'branches');
      }
      if (!d.comparison || !d.elected) continue;
      for (const o of d.comparison.options)
        row(
          d.tiers ? `(declared: ${d.label}, one tier)` : `(declared: ${d.label})`,
          o,
          d.comparison.conference.delegates[o] ?? '0',
          yes(d.tiers ? d.comparison.conference.elected : d.elected, o),
          'delegate votes',
        );
    }
    // The same delegates mandated by their branch meetings (a comparison that declares mandates).
    for (const d of q.comparisons ?? []) {
      const m = d.mandated;
      if (!m || m.error) continue;
      for (const [o, v] of Object.entries(m.totals))
        row(`(mandated: ${d.label})`, o, String(v), m.elected === o ? 'yes' : 'no', 'delegate votes');
      row(`(mandated: ${d.label})`, '(abstaining)', String(m.abstained), '', 'delegate votes');
    }
    for (const m of q.robustness?.sweep.models ?? [])
      if (m.elected)
        // The probability that this model agrees with the members: 1 or 0 without lots.
        row(`(sweep: ${m.name})`, list(m.elected), m.lots?.probability ?? (m.agree ? '1' : '0'), '', 'agreement');
    const c = q.conference;
    if (c === null || 'error' in c) return;
    for (const o of c.options)
      row('(delegate conference)', o, c.conference.delegates[o] ?? '0', yes(c.conference.elected, o), 'delegate votes');
    const split = c.pooling;
    if (split?.elected && split.delegates)
      for (const o of c.options)
        row('(pools split by membership)', o, split.delegates[o] ?? '0', yes(split.elected, o), 'delegate votes');
    for (const o of c.lotDependence?.outcomes ?? [])
      row(`(conference over lots, ${c.lotDependence!.method})`, list(o.elected), o.probability, '', 'probability');
  });
  return `${lines.join('\r\n')}\r\n`;
}

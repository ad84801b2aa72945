/**
 * Branch meetings' positions beside the members' own votes (issue 13, part 4). A branch
 * meeting adopts a position on a question (one of its options, or no position) with some
 * attendance; once the ballot is counted, each branch's position is set beside how that
 * branch's members voted, and a summary says in how many branches (covering how many
 * members) the meeting's position was its members' majority.
 *
 * Small-cell protection: votes are published by the units of `poolBranches` (k). A branch
 * that is pooled shows its meeting's position (the meeting's decision is public anyway) but
 * no split of its own members' votes, and is not compared: its comparison would reveal its
 * members' majority. The summary counts only branches published on their own, so it says
 * nothing that the published rows do not.
 *
 * Positions as mandates: a conference whose delegates vote as their branch meeting decided,
 * with branches that took no position falling back to their members' majority or abstaining
 * (declared beforehand). Pure: the server, the record and `omov verify` share it.
 */
import { type AgendaSettings, runAgenda } from './amendments';
import { poolBranches, type VotingUnit } from './pooling';
import { condorcetWinner, type Pairwise } from '../tally/methods/condorcet';

/** The position a branch meeting adopted: an option of the question, or null for no position. */
export interface BranchPosition {
  readonly branch: string;
  readonly position: string | null;
  /** How many attended the meeting. */
  readonly attendance: number;
}

/** One branch's votes on the question: its members on the roll and each option's votes. */
export interface BranchVotes {
  readonly branch: string;
  readonly members: number;
  readonly votes: Readonly<Record<string, number>>;
}

export type Comparison =
  /** The meeting's position is the option most of the branch's voters chose. */
  | 'matched'
  /** The branch's voters chose another option. */
  | 'differed'
  /** The meeting took a position but the branch's voters tied at the top, or none voted. */
  | 'no-majority'
  /** The meeting recorded no position. */
  | 'no-position'
  /** The branch is pooled under k: its members' majority is not published. */
  | 'pooled';

export interface PositionRow {
  readonly branch: string;
  /** The publishing unit: the branch's own name, or "Pooled: …". */
  readonly unit: string;
  readonly pooled: boolean;
  readonly members: number;
  /** The meeting's position; null for no position (or no meeting recorded). */
  readonly position: string | null;
  readonly attendance: number | null;
  /** The branch's own votes by option; null when pooled. */
  readonly votes: Readonly<Record<string, number>> | null;
  /** The option most of the branch's voters chose; null when tied, none voted, or pooled. */
  readonly majority: string | null;
  readonly comparison: Comparison;
  /** On an amended motion: what the branch's own members decided by the ballot's procedures (withProcedures). */
  readonly procedures?: BranchProcedures;
}

/**
 * On an amended motion, what a branch's (or a pool's) members decided under the whole
 * ballot's procedures, from their own rankings: the text the sequential agenda adopts in
 * the declared order, and the Condorcet winner among the variants; each compared with the
 * meeting's position as `comparison` compares the first preferences.
 */
export interface BranchProcedures {
  /** The variant the agenda adopts from these members' rankings; null when none of them ranked. */
  readonly agenda: string | null;
  readonly agendaComparison: Comparison;
  /** The variant that beats every other head to head among these members; null: none (a cycle or a tie), or none ranked. */
  readonly condorcet: string | null;
  readonly condorcetComparison: Comparison;
}

export interface PositionsSummary {
  /** Branches published on their own whose meeting took a position and whose voters had a majority. */
  readonly compared: number;
  readonly matched: number;
  readonly matchedMembers: number;
  readonly differed: number;
  readonly differedMembers: number;
  readonly noMajority: number;
  readonly noPosition: number;
  readonly pooled: number;
  /** In plain words. */
  readonly text: string;
  /** On an amended motion: the same count against the agenda's and the Condorcet winner's decisions (withProcedures). */
  readonly procedures?: {
    readonly agenda: { readonly compared: number; readonly matched: number };
    readonly condorcet: { readonly compared: number; readonly matched: number };
    readonly text: string;
  };
}

export interface PositionsReport {
  readonly rows: ReadonlyArray<PositionRow>;
  /** Each pooled unit's votes, published only as a whole (on an amended motion with its agenda's outcome and Condorcet winner). */
  readonly pools: ReadonlyArray<{
    readonly unit: string;
    readonly votes: Readonly<Record<string, number>>;
    readonly procedures?: { readonly agenda: string | null; readonly condorcet: string | null };
  }>;
  readonly summary: PositionsSummary;
}

export class PositionError extends Error {}

const cast = (votes: Readonly<Record<string, number>>) => Object.values(votes).reduce((a, b) => a + b, 0);

/** The option with strictly the most votes; null when none voted or the top is tied. */
export function majorityOf(options: ReadonlyArray<string>, votes: Readonly<Record<string, number>>): string | null {
  let best: string | null = null;
  let top = 0;
  let tied = false;
  for (const o of options) {
    const v = votes[o] ?? 0;
    if (v > top) {
      best = o;
      top = v;
      tied = false;
    } else if (v === top && v > 0) tied = true;
  }
  return tied ? null : best;
}

/** Checks that every position names an option of the question and attendance is a whole number. */
export function checkPositions(options: ReadonlyArray<string>, positions: ReadonlyArray<BranchPosition>): void {
  const seen = new Set<string>();
  for (const p of positions) {
    if (seen.has(p.branch)) throw new PositionError(`the branch ${p.branch} has two positions`);
    seen.add(p.branch);
    if (p.position !== null && !options.includes(p.position))
      throw new PositionError(`the position of ${p.branch} (${p.position}) is not an option of the question`);
    if (!Number.isInteger(p.attendance) || p.attendance < 0)
      throw new PositionError(`the attendance of ${p.branch} must be a whole number, not ${p.attendance}`);
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Each branch's meeting position beside its members' votes, pooled under k, and the summary. */
export function comparePositions(input: {
  readonly options: ReadonlyArray<string>;
  readonly positions: ReadonlyArray<BranchPosition>;
  readonly branches: ReadonlyArray<BranchVotes>;
  readonly k: number;
  /**
   * The ballot's own voting units, where they are fixed already (at close, from the turnout):
   * used instead of pooling the branches' votes again. A pooled unit's votes, when given,
   * are the pool's (its branches' own are then not known, nor needed).
   */
  readonly units?: ReadonlyArray<VotingUnit & { readonly votes?: Readonly<Record<string, number>> }>;
}): PositionsReport {
  const { options, positions, branches, k } = input;
  checkPositions(options, positions);
  const byBranch = new Map(positions.map((p) => [p.branch, p]));
  const units =
    input.units ??
    poolBranches(
      branches.map((b) => ({ branch: b.branch, voters: cast(b.votes) })),
      k,
    );
  const unitOf = new Map(units.flatMap((u) => u.branches.map((b) => [b, u] as const)));
  const rows: PositionRow[] = [...branches]
    .sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0))
    .map((b) => {
      const unit = unitOf.get(b.branch);
      const pooled = unit?.pooled ?? false;
      const p = byBranch.get(b.branch);
      const position = p?.position ?? null;
      const majority = pooled ? null : majorityOf(options, b.votes);
      const comparison: Comparison =
        position === null
          ? 'no-position'
          : pooled
            ? 'pooled'
            : majority === null
              ? 'no-majority'
              : majority === position
                ? 'matched'
                : 'differed';
      return {
        branch: b.branch,
        unit: unit?.name ?? b.branch,
        pooled,
        members: b.members,
        position,
        attendance: p?.attendance ?? null,
        votes: pooled ? null : Object.fromEntries(options.map((o) => [o, b.votes[o] ?? 0])),
        majority,
        comparison,
      };
    });
  const pools = units
    .filter((u) => u.pooled)
    .map((u) => ({
      unit: u.name,
      votes: Object.fromEntries(
        options.map((o) => [
          o,
          'votes' in u && u.votes
            ? (u.votes[o] ?? 0)
            : branches.filter((b) => u.branches.includes(b.branch)).reduce((a, b) => a + (b.votes[o] ?? 0), 0),
        ]),
      ),
    }));
  const of = (c: Comparison) => rows.filter((r) => r.comparison === c);
  const members = (rs: PositionRow[]) => rs.reduce((a, r) => a + r.members, 0);
  const matched = of('matched');
  const differed = of('differed');
  const compared = matched.length + differed.length;
  const text =
    compared === 0
      ? 'No branch meeting’s position could be compared with its members’ votes.'
      : `In ${matched.length} of ${plural(compared, 'branch', 'branches')} (${plural(members(matched), 'member')}), the meeting’s position was its members’ majority; in ${differed.length} (${plural(members(differed), 'member')}), the members voted otherwise.` +
        (of('pooled').length
          ? ` ${plural(of('pooled').length, 'branch', 'branches')} with a position ${of('pooled').length === 1 ? 'is' : 'are'} pooled under k and not compared.`
          : '');
  return {
    rows,
    pools,
    summary: {
      compared,
      matched: matched.length,
      matchedMembers: members(matched),
      differed: differed.length,
      differedMembers: members(differed),
      noMajority: of('no-majority').length,
      noPosition: of('no-position').length,
      pooled: of('pooled').length,
      text,
    },
  };
}

/** What a branch whose meeting took no position does in a mandated conference. */
export type NoPositionRule = 'majority' | 'abstain';

/**
 * Each branch's mandate: its meeting's position, else (by the declared rule) its members'
 * majority or nothing (abstain). A tied or empty branch under 'majority' abstains too.
 */
export function mandatesOf(
  options: ReadonlyArray<string>,
  positions: ReadonlyArray<BranchPosition>,
  branches: ReadonlyArray<BranchVotes>,
  noPosition: NoPositionRule,
): Map<string, string | null> {
  checkPositions(options, positions);
  const byBranch = new Map(positions.map((p) => [p.branch, p.position]));
  return new Map(
    branches.map((b) => {
      const p = byBranch.get(b.branch) ?? null;
      return [b.branch, p ?? (noPosition === 'majority' ? majorityOf(options, b.votes) : null)] as const;
    }),
  );
}

/**
 * A conference of mandated delegates: every branch's delegates vote as a bloc for its
 * mandate (abstaining without one). Returns each option's delegate votes, the abstentions
 * and the option with strictly the most delegate votes (null on a tie or no votes).
 */
export function mandatedConference(
  options: ReadonlyArray<string>,
  delegates: ReadonlyMap<string, number>,
  mandates: ReadonlyMap<string, string | null>,
): { totals: Record<string, number>; abstained: number; elected: string | null } {
  const totals: Record<string, number> = Object.fromEntries(options.map((o) => [o, 0]));
  let abstained = 0;
  for (const [branch, n] of delegates) {
    const m = mandates.get(branch) ?? null;
    if (m === null) abstained += n;
    else if (m in totals) totals[m]! += n;
    else throw new PositionError(`the mandate of ${branch} (${m}) is not an option of the question`);
  }
  return { totals, abstained, elected: majorityOf(options, totals) };
}

/**
 * A position on an amended motion (docs/proposals.md, "Branch positions"). An amended motion
 * is one ranked question across its variants (its settings declare the agenda), so a
 * meeting's position is one of its options read as a conference reads it: for the motion
 * unamended (the original), for an amendment (the motion as that amendment words it), or
 * against (the motion falls). No separate questions exist for the amendments, so there is
 * nothing else a position could name.
 */
export type AmendmentStance =
  | { readonly kind: 'unamended' }
  | { readonly kind: 'amendment'; /** 1 for the first amendment tabled */ readonly number: number }
  | { readonly kind: 'against' };

/** What an option of an amended motion's question means as a position; null when the question has no agenda or the option is none of its variants. */
export function amendmentStance(
  agenda: AgendaSettings | undefined,
  labels: ReadonlyArray<string>,
  position: string,
): AmendmentStance | null {
  if (!agenda) return null;
  const i = labels.indexOf(position);
  if (i < 0) return null;
  if (i === agenda.original) return { kind: 'unamended' };
  if (i === agenda.rejection) return { kind: 'against' };
  const n = agenda.amendments.indexOf(i);
  return n < 0 ? null : { kind: 'amendment', number: n + 1 };
}

/**
 * How a meeting's position reads after "the meeting": "supported: Yes" on any question; on
 * an amended motion, "supported the motion unamended (The motion as proposed)", "supported
 * Amendment 1: Half the rate (the motion as it amends it)", "opposed the motion (None: the
 * motion falls)"; on an amended question's versions, "supported the question as proposed
 * (…)" or "supported Amendment 1: … (the question as this amendment words it)"; "took no position".
 */
export function positionWords(
  q: { readonly settings?: unknown; readonly options: ReadonlyArray<{ readonly label: string }> },
  position: string | null,
): string {
  if (position === null) return 'took no position';
  const agenda = (q.settings as { agenda?: AgendaSettings } | undefined)?.agenda;
  const stance = amendmentStance(
    agenda,
    q.options.map((o) => o.label),
    position,
  );
  // A question's versions (its agenda has no "falls" step: a question is always answered).
  const what = agenda?.rejection === null ? 'question' : 'motion';
  switch (stance?.kind) {
    case 'unamended':
      return what === 'question'
        ? `supported the question as proposed (${position})`
        : `supported the motion unamended (${position})`;
    case 'amendment':
      return `supported ${position} (the ${what} as this amendment words it)`;
    case 'against':
      return `opposed the motion (${position})`;
    default:
      return `supported: ${position}`;
  }
}

/** What a unit's members decided by the agenda and by Condorcet, from their pairwise counts; nulls when none ranked. */
function decided(
  agenda: AgendaSettings,
  labels: ReadonlyArray<string>,
  pw: Pairwise | undefined,
): { agenda: string | null; condorcet: string | null } {
  if (!pw || !labels.some((_, i) => labels.some((__, j) => pw.at(i, j) > 0n))) return { agenda: null, condorcet: null };
  const winner = condorcetWinner(
    labels.map((_, i) => i),
    pw,
  );
  return {
    agenda: labels[runAgenda(agenda, agenda.order, pw).outcome]!,
    condorcet: winner === null ? null : labels[winner]!,
  };
}

const against = (position: string | null, pooled: boolean, decision: string | null): Comparison =>
  position === null
    ? 'no-position'
    : pooled
      ? 'pooled'
      : decision === null
        ? 'no-majority'
        : decision === position
          ? 'matched'
          : 'differed';

/**
 * Branch positions on an amended motion compared also with what each branch's members
 * decided under the whole ballot's procedures (docs/proposals.md, "Branch positions"): the
 * sequential agenda in the declared order, and the Condorcet winner, over the rankings of
 * the unit's members alone (`pairwise` gives each voting unit's counts). Pooled as the first
 * preferences are: a branch published on its own gets its own decisions and comparisons; a
 * pooled branch none (they would reveal its members' decision), its pool's decisions are
 * published as the pool's. A decision of no one's (nobody in the unit ranked) or no Condorcet
 * winner compares as `no-majority`.
 */
export function withProcedures(
  report: PositionsReport,
  agenda: AgendaSettings,
  labels: ReadonlyArray<string>,
  pairwise: ReadonlyMap<string, Pairwise>,
): PositionsReport {
  const rows = report.rows.map((r): PositionRow => {
    const d = r.pooled ? { agenda: null, condorcet: null } : decided(agenda, labels, pairwise.get(r.unit));
    return {
      ...r,
      procedures: {
        agenda: d.agenda,
        agendaComparison: against(r.position, r.pooled, d.agenda),
        condorcet: d.condorcet,
        condorcetComparison: against(r.position, r.pooled, d.condorcet),
      },
    };
  });
  const count = (key: 'agendaComparison' | 'condorcetComparison') => {
    const compared = rows.filter((r) => ['matched', 'differed'].includes(r.procedures![key]));
    return { compared: compared.length, matched: compared.filter((r) => r.procedures![key] === 'matched').length };
  };
  const byAgenda = count('agendaComparison');
  const byCondorcet = count('condorcetComparison');
  const phrase = (c: { compared: number; matched: number }, by: string) =>
    c.compared === 0
      ? `by ${by}, no branch could be compared`
      : `by ${by}, in ${c.matched} of ${plural(c.compared, 'branch', 'branches')}`;
  return {
    rows,
    pools: report.pools.map((p) => ({ ...p, procedures: decided(agenda, labels, pairwise.get(p.unit)) })),
    summary: {
      ...report.summary,
      procedures: {
        agenda: byAgenda,
        condorcet: byCondorcet,
        text: `The meeting’s position was what its own members decided ${phrase(byAgenda, 'the agenda in the declared order')}; ${phrase(byCondorcet, 'the Condorcet winner among the variants')}.`,
      },
    },
  };
}

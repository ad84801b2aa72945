/**
 * Delegates chosen by those who attended the branch meeting. The organiser enters each
 * branch's attendance with the model, before the ballot opens. omov does not know how the
 * attendees voted: it assumes they are a random sample of the branch's voters on the
 * question. The conference is counted with each branch's delegates going, as a bloc, to its
 * voters' own majority (what a meeting that mirrors them would decide); then, exactly by the
 * hypergeometric distribution, each branch's chance that a meeting of its size has another
 * majority, and from those the chance that the conference decides differently from the
 * members. Exact where the meetings and the conference's totals are few enough to list
 * (a convolution over the branches; EXACT_MEETINGS per branch and for the totals,
 * EXACT_MEETINGS_IN_ALL over the branches in their order), else sampled with a stated seed. Pure.
 */
import { lot } from '../tally/lot';
import { parseRational } from '../tally/rational';
import {
  type Distribution,
  type Probability,
  hypergeometricDraws,
  pick,
  probabilityOf,
  sampleDraw,
  tieDenominator,
  winnersOf,
} from './chance';
import { type ConferenceComparison, SAMPLED_LOT_DRAWS } from './conference';
import { type MarkRule } from './flip';
import { DelegateError } from './numbers';

/** Meetings of one branch (or the conference's totals) listed exactly up to this many; beyond, sampled. */
export const EXACT_MEETINGS = 20000;
/** Meetings listed over all the branches, in branch order, at most: later branches are sampled beyond it. */
export const EXACT_MEETINGS_IN_ALL = 200000;

export interface MeetingBranch {
  readonly name: string;
  /** As entered (for a pool of small branches, the sum of its branches'). */
  readonly attendance: number;
  /** The branch's valid votes on the question: the voters a meeting is taken to be drawn from. */
  readonly voters: number;
  readonly delegates: number;
  /** The branch voters' own majority, where its delegates go in the count shown. */
  readonly winner: string | null;
  /** The chance that a meeting of this size has another majority (a tied meeting drawing a lot); null when no vote was cast. */
  readonly differs: (Probability & { readonly method: 'exact' | 'sampled' }) | null;
}

export interface MeetingOutcome extends Probability {
  readonly elected: ReadonlyArray<string>;
  readonly agree: boolean;
}

export interface AttendanceReport {
  /** In plain words: what is assumed about the attendees. */
  readonly assumption: string;
  /** Meetings too many to list are sampled, SAMPLED_LOT_DRAWS each, from `${seed}/meeting/0` … with the branch's name. */
  readonly seed: string;
  readonly branches: ReadonlyArray<MeetingBranch>;
  /** The conference (by the ballot's own method) over the meetings. */
  readonly conference: {
    readonly method: 'exact' | 'sampled';
    /** Sampled: the draws are `${seed}/0` … (each branch's meeting drawn from its distribution). */
    readonly seed: string | null;
    readonly draws: number | null;
    readonly outcomes: ReadonlyArray<MeetingOutcome>;
    /** The chance that the conference decides as the members did, and that it decides differently. */
    readonly agree: Probability;
    readonly differs: Probability;
  };
}

export const ATTENDANCE_ASSUMPTION =
  "omov does not know how the attendees of a branch meeting voted: it assumes they are a random sample of the branch's voters on this question. A meeting larger than the branch's voters is taken to be all of them.";

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * The winner of a meeting of `size` drawn from a branch whose voters are `counts` per
 * option: key k for option k, -1 when the meeting decides nothing. A tie's weight is
 * shared evenly among the tied (as a lot would).
 */
export function meetingDistribution(
  rule: MarkRule,
  counts: ReadonlyArray<number>,
  size: number,
  seed: string,
  context: string,
  limit = EXACT_MEETINGS,
): Distribution<number> & { readonly listed: number } {
  const L = tieDenominator(counts.length);
  const weights = new Map<number, bigint>();
  const add = (x: ReadonlyArray<number>, w: bigint) => {
    const won = winnersOf(rule, x);
    if (won.length === 0) weights.set(-1, (weights.get(-1) ?? 0n) + w * L);
    else for (const k of won) weights.set(k, (weights.get(k) ?? 0n) + (w * L) / BigInt(won.length));
  };
  const listed = hypergeometricDraws(counts, size, limit);
  if (listed !== null) {
    for (const d of listed.draws) add(d.x, d.weight);
    return { den: listed.den * L, weights, method: 'exact', listed: listed.draws.length };
  }
  for (let i = 0; i < SAMPLED_LOT_DRAWS; i++) add(sampleDraw(counts, size, `${seed}/${i}`, context), 1n);
  return { den: BigInt(SAMPLED_LOT_DRAWS) * L, weights, method: 'sampled', listed: limit };
}

/** The meetings' chances for a comparison counted as a bloc: per branch, then the conference. */
export function attendanceReport(
  cc: ConferenceComparison,
  attendance: ReadonlyMap<string, number>,
  rule: MarkRule,
  seed: string,
): AttendanceReport {
  const options = cc.options;
  const k = options.length;
  const dists: Array<{ delegates: number; dist: Distribution<number> }> = [];
  let budget = EXACT_MEETINGS_IN_ALL;
  const branches: MeetingBranch[] = cc.branches.map((b) => {
    const counts = options.map((o) => {
      const v = parseRational(b.totals[o] ?? '0');
      if (v.den !== 1n)
        throw new DelegateError(`branch ${b.name}: votes carry fractional weights, but a meeting is of whole voters`);
      return Number(v.num);
    });
    const voters = counts.reduce((a, c) => a + c, 0);
    const entered = attendance.get(b.name);
    const base = { name: b.name, attendance: entered ?? 0, voters, delegates: b.delegates, winner: b.winner };
    if (voters === 0) return { ...base, differs: null };
    if (entered === undefined) throw new DelegateError(`no attendance was entered for ${b.name}`);
    const size = Math.min(entered, voters);
    const dist = meetingDistribution(rule, counts, size, `${seed}/meeting`, b.name, Math.min(EXACT_MEETINGS, budget));
    budget = Math.max(0, budget - dist.listed);
    if (b.delegates > 0) dists.push({ delegates: b.delegates, dist });
    const own = b.winner === null ? -1 : options.indexOf(b.winner);
    let other = 0n;
    for (const [key, w] of dist.weights) if (key !== own) other += w;
    return { ...base, differs: { ...probabilityOf(other, dist.den, dist.method), method: dist.method } };
  });

  // The conference: each branch's delegates to its meeting's winner, the branches independent.
  const L = tieDenominator(k);
  const outcomes = new Map<string, bigint>();
  const decide = (totals: ReadonlyArray<number>, w: bigint, u: number | null) => {
    const won = winnersOf(rule, totals);
    const chosen = won.length === 0 ? [[]] : u === null ? won.map((x) => [x]) : [[won[Math.floor(u * won.length)]!]];
    for (const c of chosen) {
      const key = JSON.stringify(c.map((x) => options[x]!));
      outcomes.set(key, (outcomes.get(key) ?? 0n) + (u === null ? (w * L) / BigInt(chosen.length) : w));
    }
  };
  let states: Map<string, { totals: number[]; w: bigint }> | null = new Map([
    [options.map(() => 0).join(), { totals: options.map(() => 0), w: 1n }],
  ]);
  let den = 1n;
  convolve: for (const { delegates, dist } of dists) {
    const next = new Map<string, { totals: number[]; w: bigint }>();
    for (const s of states.values()) {
      for (const [key, w] of dist.weights) {
        const totals = [...s.totals];
        if (key >= 0) totals[key]! += delegates;
        const id = totals.join();
        const was = next.get(id);
        next.set(id, { totals, w: (was?.w ?? 0n) + s.w * w });
        if (next.size > EXACT_MEETINGS) {
          states = null;
          break convolve;
        }
      }
    }
    den *= dist.den;
    states = next;
  }
  const sampled = states === null || dists.some((d) => d.dist.method === 'sampled');
  let total: bigint;
  let sampleSeed: string | null = null;
  if (states !== null) {
    for (const s of states.values()) decide(s.totals, s.w, null);
    total = den * L;
  } else {
    sampleSeed = `${seed}/meetings`;
    for (let i = 0; i < SAMPLED_LOT_DRAWS; i++) {
      const g = lot(`${sampleSeed}/${i}`, 'conference');
      const totals = options.map(() => 0);
      for (const { delegates, dist } of dists) {
        const key = pick(dist, g.next());
        if (key >= 0) totals[key]! += delegates;
      }
      decide(totals, 1n, g.next());
    }
    total = BigInt(SAMPLED_LOT_DRAWS);
  }
  const method = sampled ? 'sampled' : 'exact';
  let agreeing = 0n;
  const list: Array<MeetingOutcome & { w: bigint }> = [...outcomes.entries()].map(([key, w]) => {
    const elected = JSON.parse(key) as string[];
    const agree = sameSet(elected, cc.omov.elected);
    if (agree) agreeing += w;
    return { elected, agree, w, ...probabilityOf(w, total, method) };
  });
  list.sort((a, b) => (a.w === b.w ? (a.elected.join() < b.elected.join() ? -1 : 1) : a.w > b.w ? -1 : 1));
  return {
    assumption: ATTENDANCE_ASSUMPTION,
    seed,
    branches,
    conference: {
      method,
      seed: sampleSeed,
      draws: states === null ? SAMPLED_LOT_DRAWS : null,
      outcomes: list.map(({ w: _, ...o }) => o),
      agree: probabilityOf(agreeing, total, method),
      differs: probabilityOf(total - agreeing, total, method),
    },
  };
}

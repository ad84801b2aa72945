/**
 * A members' council chosen by lot (sortition): N of the question's ballots are drawn at
 * random from the box, stratified by voting unit if asked, and the council decides by the
 * question's own method over its members' ballots (for a single choice, the majority).
 *
 * Secrecy: ballots are drawn from the box, never members. The box's ballots for the question
 * are put in a canonical order (by unit, weight and answer, so that equal ballots are
 * interchangeable) and the draw names positions in that order, which link no ballot to anyone.
 *
 * The seed: the organiser's seed is committed with the declaration before the ballot opens,
 * and the draw's seed is SHA-256(committed seed, NUL, SHA-256 of the box's ballots in
 * canonical order). The office cannot choose it after seeing the votes (the committed part
 * is fixed, the box part is every vote), nor know the draw before the box is closed.
 *
 * Shown with the one draw: the probability over all draws that the council decides otherwise
 * than all the members, exact by the (multivariate) hypergeometric distribution for single
 * choice questions of whole votes (a convolution over the strata), else sampled with a
 * stated seed. Pure.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { drawOrder } from '../tally/lot';
import { tally, type TallyOptions } from '../tally/index';
import { rat } from '../tally/rational';
import type { RankedBallot, ScoreBallot, TallyResult } from '../tally/types';
import { apportion } from './apportion';
import { type Probability, hypergeometricDraws, probabilityOf, tieDenominator, winnersOf } from './chance';
import { SAMPLED_LOT_DRAWS, withoutQuorum } from './conference';
import { type MarkRule } from './flip';
import { DelegateError } from './numbers';

/** Draws listed exactly up to this many (per stratum, and council totals); beyond, sampled. */
export const EXACT_COUNCILS = 20000;

export interface CouncilModel {
  /** Members of the council: ballots drawn. */
  readonly council: number;
  /** Draw from each voting unit in proportion to its ballots (Hamilton), not from the box as a whole. */
  readonly stratified: boolean;
  /** The organiser's seed, committed with the declaration. */
  readonly seed: string;
}

/** One ballot in the box, with its voting unit. */
export interface BoxBallot {
  readonly unit: string;
  readonly ballot: RankedBallot | ScoreBallot;
}

export interface CouncilReport {
  /** Seats filled (the council size, or every ballot when the box holds fewer). */
  readonly size: number;
  /** Ballots in the box for this question (abstentions are not drawn). */
  readonly ballots: number;
  readonly seed: {
    readonly committed: string;
    /** SHA-256 (hex) of the box's ballots in canonical order (see boxText). */
    readonly box: string;
    /** SHA-256 (hex) of committed, NUL, box: the seed of the draw. */
    readonly draw: string;
  };
  /** Stratified: each unit's ballots and seats. */
  readonly strata: ReadonlyArray<{ readonly unit: string; readonly ballots: number; readonly seats: number }> | null;
  /** The drawn ballots, by their position (1 = first) in the canonical order. */
  readonly drawn: ReadonlyArray<number>;
  /** The council's count by the question's method. */
  readonly tally: TallyResult;
  readonly elected: ReadonlyArray<string>;
  /** The council decides as all the members did. */
  readonly agree: boolean;
  /** Over every draw of the council (not only this one). */
  readonly chance: {
    readonly method: 'exact' | 'sampled';
    /** Sampled: draws from `${seed}/0` … */
    readonly seed: string | null;
    readonly draws: number | null;
    readonly agree: Probability;
    readonly differs: Probability;
  };
  readonly notes: ReadonlyArray<string>;
}

const hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

/** A ballot's line in the canonical order: unit, weight, answer. */
export function ballotLine(b: BoxBallot): string {
  const w = `${b.ballot.weight.num}/${b.ballot.weight.den}`;
  const answer = 'scores' in b.ballot ? { scores: b.ballot.scores } : { ranking: b.ballot.ranking };
  return JSON.stringify([b.unit, w, answer]);
}

/** The box's ballots in canonical order (by their lines, in code-unit order). */
export function canonicalBox(ballots: ReadonlyArray<BoxBallot>): BoxBallot[] {
  return ballots
    .map((b) => ({ b, line: ballotLine(b) }))
    .sort((x, y) => (x.line < y.line ? -1 : x.line > y.line ? 1 : 0))
    .map((x) => x.b);
}

/** The seed of the draw: SHA-256(committed, NUL, SHA-256 of the canonical box's lines, one a line). */
export function councilSeed(committed: string, box: ReadonlyArray<BoxBallot>): { box: string; draw: string } {
  const boxHash = hex(box.map((b) => `${ballotLine(b)}\n`).join(''));
  return { box: boxHash, draw: hex(`${committed}\u0000${boxHash}`) };
}

/** Seats per stratum: the council shared among the units by their ballots (Hamilton). */
function strataOf(box: ReadonlyArray<BoxBallot>, size: number, seed: string) {
  const units = [...new Set(box.map((b) => b.unit))].sort();
  const counts = units.map((u) => box.filter((b) => b.unit === u).length);
  const seats = apportion(
    units.map((name, i) => ({ name, population: rat(counts[i]!) })),
    { method: 'hamilton', seats: size, seed, context: 'council: ' },
  ).seats;
  return units.map((unit, i) => ({ unit, ballots: counts[i]!, seats: seats[i]! }));
}

/** Positions (0-based, ascending) of the ballots drawn from `seed`. */
export function drawPositions(
  box: ReadonlyArray<BoxBallot>,
  size: number,
  strata: ReadonlyArray<{ unit: string; seats: number }> | null,
  seed: string,
): number[] {
  const drawn =
    strata === null
      ? drawOrder(
          box.map((_, i) => i),
          seed,
          'council',
        ).slice(0, size)
      : strata.flatMap((s) => drawOrder(placesOf(box, s.unit), seed, `council ${s.unit}`).slice(0, s.seats));
  return drawn.sort((a, b) => a - b);
}

const places = new WeakMap<ReadonlyArray<BoxBallot>, Map<string, number[]>>();
/** The places (0-based) of a unit's ballots in the box, listed once per box. */
function placesOf(box: ReadonlyArray<BoxBallot>, unit: string): number[] {
  let byUnit = places.get(box);
  if (!byUnit) {
    byUnit = new Map();
    box.forEach((b, i) => {
      const list = byUnit!.get(b.unit);
      if (list) list.push(i);
      else byUnit!.set(b.unit, [i]);
    });
    places.set(box, byUnit);
  }
  return byUnit.get(unit) ?? [];
}

const sameSet = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** The council's count: the question's own method over the drawn ballots (a quorum is the members' vote's only). */
function councilCount(
  box: ReadonlyArray<BoxBallot>,
  drawn: ReadonlyArray<number>,
  options: ReadonlyArray<string>,
  count: TallyOptions,
  elect: number,
  seed: string,
): TallyResult {
  return tally(
    {
      title: 'council',
      candidates: options,
      withdrawn: [],
      seats: elect,
      ballots: drawn.map((i) => box[i]!.ballot) as RankedBallot[],
    },
    withoutQuorum(count, `${seed}/council`),
  );
}

/** The single choice of a whole-weight ballot, or null. */
const choiceOf = (b: RankedBallot | ScoreBallot): number | null =>
  'ranking' in b && b.weight.num === b.weight.den && b.ranking.length === 1 && b.ranking[0]!.length === 1
    ? b.ranking[0]![0]!
    : null;

/**
 * The exact chance that a council agrees with the members: per stratum, every composition
 * of its seats by option (hypergeometric), convolved over the strata, each total decided by
 * the rule (ties shared evenly, as a lot would). Null when it cannot be listed exactly.
 */
function exactChance(
  box: ReadonlyArray<BoxBallot>,
  strata: ReadonlyArray<{ unit: string; seats: number }>,
  options: ReadonlyArray<string>,
  rule: MarkRule,
  members: ReadonlyArray<string>,
): { agree: bigint; den: bigint } | null {
  const k = options.length;
  let states = new Map<string, { totals: number[]; w: bigint }>([
    [Array(k).fill(0).join(), { totals: Array(k).fill(0), w: 1n }],
  ]);
  let den = 1n;
  for (const s of strata) {
    const counts: number[] = Array(k).fill(0);
    for (const b of box) {
      if (s.unit !== '' && b.unit !== s.unit) continue;
      const c = choiceOf(b.ballot);
      if (c === null) return null;
      counts[c]!++;
    }
    const listed = hypergeometricDraws(counts, s.seats, EXACT_COUNCILS);
    if (listed === null) return null;
    const next = new Map<string, { totals: number[]; w: bigint }>();
    for (const st of states.values())
      for (const d of listed.draws) {
        const totals = st.totals.map((t, i) => t + d.x[i]!);
        const id = totals.join();
        next.set(id, { totals, w: (next.get(id)?.w ?? 0n) + st.w * d.weight });
        if (next.size > EXACT_COUNCILS) return null;
      }
    states = next;
    den *= listed.den;
  }
  const L = tieDenominator(k);
  let agree = 0n;
  for (const st of states.values()) {
    const won = winnersOf(rule, st.totals);
    if (won.length === 0) {
      if (members.length === 0) agree += st.w * L;
      continue;
    }
    for (const x of won) if (sameSet([options[x]!], members)) agree += (st.w * L) / BigInt(won.length);
  }
  return { agree, den: den * L };
}

/** The council drawn from the box, its decision, and the chance over all draws that it differs from the members. */
export function drawCouncil(input: {
  readonly box: ReadonlyArray<BoxBallot>;
  readonly options: ReadonlyArray<string>;
  readonly model: CouncilModel;
  readonly count: TallyOptions;
  readonly elect: number;
  /** The members' answer, as counted. */
  readonly members: ReadonlyArray<string>;
  /** Plurality or yes/no: the rule for the exact chance (null: sampled). */
  readonly rule: MarkRule | null;
}): CouncilReport {
  const { options, model, count, elect, members, rule } = input;
  if (!Number.isSafeInteger(model.council) || model.council < 1)
    throw new DelegateError(`the council needs at least one member, not ${model.council}`);
  const box = canonicalBox(input.box);
  if (box.length === 0) throw new DelegateError('no ballots were cast on this question, so no council can be drawn');
  const notes: string[] = [];
  const size = Math.min(model.council, box.length);
  if (size < model.council)
    notes.push(`The box holds only ${box.length} ballots on this question: the council is all of them.`);
  const seed = councilSeed(model.seed, box);
  const strata = model.stratified ? strataOf(box, size, seed.draw) : null;
  const drawn = drawPositions(box, size, strata, seed.draw);
  const result = councilCount(box, drawn, options, count, elect, seed.draw);
  const exact =
    rule !== null && elect === 1
      ? exactChance(box, strata ?? [{ unit: '', seats: size }], options, rule, members)
      : null;
  let chance: CouncilReport['chance'];
  if (exact !== null) {
    chance = {
      method: 'exact',
      seed: null,
      draws: null,
      agree: probabilityOf(exact.agree, exact.den, 'exact'),
      differs: probabilityOf(exact.den - exact.agree, exact.den, 'exact'),
    };
  } else {
    const sampleSeed = `${seed.draw}/sample`;
    let agree = 0n;
    for (let i = 0; i < SAMPLED_LOT_DRAWS; i++) {
      const s = `${sampleSeed}/${i}`;
      const r = councilCount(box, drawPositions(box, size, strata, s), options, count, elect, s);
      if (sameSet(r.elected, members)) agree++;
    }
    const n = BigInt(SAMPLED_LOT_DRAWS);
    chance = {
      method: 'sampled',
      seed: sampleSeed,
      draws: SAMPLED_LOT_DRAWS,
      agree: probabilityOf(agree, n, 'sampled'),
      differs: probabilityOf(n - agree, n, 'sampled'),
    };
  }
  return {
    size,
    ballots: box.length,
    seed: { committed: model.seed, ...seed },
    strata,
    drawn: drawn.map((i) => i + 1),
    tally: result,
    elected: [...result.elected],
    agree: sameSet(result.elected, members),
    chance,
    notes,
  };
}

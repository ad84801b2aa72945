/**
 * Balance rules for an STV count ("at least 2 of the 4 seats to women", "at least one seat
 * per region", "at most 2 from one branch"): each rule is a group of candidates (by name)
 * with a minimum and/or a maximum number of seats. A candidate may be in several groups.
 *
 * The rule omov implements (docs/elections.md states it with a worked example):
 *
 * A *completion* of the count at some point is a set of continuing (hopeful) candidates
 * that could fill the seats left (all of them, if there are no more of them than seats) so
 * that, with those already elected, every rule is met. The count keeps at least one
 * completion at every point:
 *
 * 1. A continuing candidate who is in no completion (electing them would leave the rules
 *    unmet: a maximum exceeded, or too few seats left for a minimum) is excluded under the
 *    rules: in a stage of their own, before any surplus is transferred, their ballot papers
 *    pass on at their current values as in any exclusion. A candidate who reaches the quota
 *    in the same stage as others is elected only if they are still in a completion once the
 *    candidates with more votes are elected; otherwise they are excluded so.
 * 2. A continuing candidate who is in every completion (without them the rules could not be
 *    met: the group's remaining candidates are all needed for its minimum) is protected:
 *    never excluded for having the fewest votes. The candidate with the fewest votes among
 *    the unprotected is excluded instead. Protected candidates are elected by the quota or,
 *    at the end, as the continuing candidates left for the seats left.
 *
 * A minimum above the number of the group's candidates standing is lowered to that number
 * (and the count says so). Rules that no set of standing candidates can meet are refused.
 *
 * Finding a completion: candidates in the same groups are alike, so the search chooses how
 * many of each kind to elect (a few kinds in practice), pruned by the rules' bounds.
 */
import type { BalanceRule } from '../types';

interface Resolved {
  readonly words: string;
  readonly members: Uint8Array;
  readonly min: number;
  readonly max: number;
}

/** Words for a rule: "women: at least 2", "North: at least 1 and at most 2". */
export function ruleWords(r: { group: string; min?: number | undefined; max?: number | undefined }): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`at least ${r.min}`);
  if (r.max !== undefined) parts.push(`at most ${r.max}`);
  return `${r.group}: ${parts.join(' and ')} seat${(r.max ?? r.min) === 1 ? '' : 's'}`;
}

export class Balance {
  readonly rules: ReadonlyArray<Resolved>;
  /** What the count says about the rules before it starts (minimums lowered). */
  readonly notes: string[] = [];

  constructor(
    names: ReadonlyArray<string>,
    standing: ReadonlyArray<number>,
    readonly seats: number,
    rules: ReadonlyArray<BalanceRule>,
  ) {
    const isStanding = new Uint8Array(names.length);
    for (const c of standing) isStanding[c] = 1;
    this.rules = rules.map((r) => {
      if (r.min === undefined && r.max === undefined)
        throw new RangeError(`the balance rule for ${r.group} needs a minimum or a maximum`);
      for (const b of [r.min, r.max])
        if (b !== undefined && (!Number.isInteger(b) || b < 0))
          throw new RangeError(`the balance rule for ${r.group} needs whole numbers of seats`);
      if (r.min !== undefined && r.max !== undefined && r.min > r.max)
        throw new RangeError(`the balance rule for ${r.group} has a minimum above its maximum`);
      if (r.min !== undefined && r.min > seats)
        throw new RangeError(`the balance rule for ${r.group} asks for ${r.min} seats of ${seats}`);
      const members = new Uint8Array(names.length);
      for (const name of r.candidates) {
        const c = names.indexOf(name);
        if (c < 0) throw new RangeError(`the balance rule for ${r.group} names ${name}, who is not a candidate`);
        members[c] = 1;
      }
      let min = r.min ?? 0;
      const there = standing.filter((c) => members[c]).length;
      if (min > there) {
        this.notes.push(
          `Only ${there} candidate${there === 1 ? '' : 's'} of ${r.group} stand${there === 1 ? 's' : ''}, so the balance rule "${ruleWords(r)}" asks for ${there}.`,
        );
        min = there;
      }
      return { words: ruleWords(r), members, min, max: r.max ?? Infinity };
    });
    if (!this.feasible([], standing, seats))
      throw new RangeError('the balance rules cannot all be met by the candidates standing');
  }

  /**
   * Whether some of `hopeful` can fill `seatsLeft` (all of them if fewer) so that, with
   * `elected`, every rule (or only rule `only`) is met.
   */
  feasible(
    elected: ReadonlyArray<number>,
    hopeful: ReadonlyArray<number>,
    seatsLeft: number,
    only: number | null = null,
  ): boolean {
    const rules = only === null ? this.rules : [this.rules[only]!];
    const R = rules.length;
    const lo = new Array<number>(R);
    const hi = new Array<number>(R);
    rules.forEach((r, i) => {
      let e = 0;
      for (const c of elected) e += r.members[c]!;
      lo[i] = r.min - e;
      hi[i] = r.max - e;
    });
    if (hi.some((h) => h < 0)) return false;
    // Candidates alike (in the same groups) are one kind.
    const kinds = new Map<string, { inRule: number[]; n: number }>();
    for (const c of hopeful) {
      const inRule: number[] = [];
      rules.forEach((r, i) => {
        if (r.members[c]) inRule.push(i);
      });
      const key = inRule.join(',');
      const k = kinds.get(key);
      if (k) k.n++;
      else kinds.set(key, { inRule, n: 1 });
    }
    const list = [...kinds.values()];
    const T = list.length;
    // after[i][r]: candidates of kinds i.. in rule r; cap[i]: candidates of kinds i..
    const after = Array.from({ length: T + 1 }, () => new Array<number>(R).fill(0));
    const cap = new Array<number>(T + 1).fill(0);
    for (let i = T - 1; i >= 0; i--) {
      cap[i] = cap[i + 1]! + list[i]!.n;
      for (let r = 0; r < R; r++) after[i]![r] = after[i + 1]![r]!;
      for (const r of list[i]!.inRule) after[i]![r] = after[i]![r]! + list[i]!.n;
    }
    const sums = new Array<number>(R).fill(0);
    const search = (i: number, left: number): boolean => {
      if (cap[i]! < left) return false;
      for (let r = 0; r < R; r++) if (sums[r]! + Math.min(left, after[i]![r]!) < lo[r]!) return false;
      if (i === T) return left === 0;
      const kind = list[i]!;
      for (let x = Math.min(kind.n, left); x >= 0; x--) {
        if (kind.inRule.some((r) => sums[r]! + x > hi[r]!)) continue;
        for (const r of kind.inRule) sums[r] = sums[r]! + x;
        const ok = search(i + 1, left - x);
        for (const r of kind.inRule) sums[r] = sums[r]! - x;
        if (ok) return true;
      }
      return false;
    };
    return search(0, Math.min(seatsLeft, hopeful.length));
  }

  /** The rules that, alone, leave no completion; all of them together if none does alone. */
  private blame(elected: ReadonlyArray<number>, hopeful: ReadonlyArray<number>, seatsLeft: number): string {
    const alone = this.rules.flatMap((r, i) => (this.feasible(elected, hopeful, seatsLeft, i) ? [] : [r.words]));
    return alone.length ? alone.join('; ') : `the balance rules together: ${this.rules.map((r) => r.words).join('; ')}`;
  }

  /** Why electing c would leave the rules unmet, or null when it would not. */
  blocks(c: number, elected: ReadonlyArray<number>, hopeful: ReadonlyArray<number>, seatsLeft: number): string | null {
    const e = [...elected, c];
    const h = hopeful.filter((x) => x !== c);
    return this.feasible(e, h, seatsLeft - 1) ? null : this.blame(e, h, seatsLeft - 1);
  }

  /** Balance rule 1: the hopefuls in no completion, each with why. */
  inNoCompletion(
    elected: ReadonlyArray<number>,
    hopeful: ReadonlyArray<number>,
    seatsLeft: number,
  ): Array<[number, string]> {
    return hopeful.flatMap((c): Array<[number, string]> => {
      const why = this.blocks(c, elected, hopeful, seatsLeft);
      return why === null ? [] : [[c, why]];
    });
  }

  /** Balance rule 2: the hopefuls in every completion (the rules need them), with why. */
  neededAmong(elected: ReadonlyArray<number>, hopeful: ReadonlyArray<number>, seatsLeft: number): Map<number, string> {
    const needed = new Map<number, string>();
    for (const c of hopeful) {
      const why = this.needs(c, elected, hopeful, seatsLeft);
      if (why !== null) needed.set(c, why);
    }
    return needed;
  }

  /** Why c is needed (without them the rules could not be met), or null when not. */
  needs(c: number, elected: ReadonlyArray<number>, hopeful: ReadonlyArray<number>, seatsLeft: number): string | null {
    const h = hopeful.filter((x) => x !== c);
    return this.feasible(elected, h, seatsLeft) ? null : this.blame(elected, h, seatsLeft);
  }
}

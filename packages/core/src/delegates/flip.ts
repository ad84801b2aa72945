/**
 * The smallest change that flips a result, for single-mark questions (plurality and
 * yes/no), counted in members who change their vote.
 *
 * A result is flipped "for certain": the winner W ends strictly behind some challenger X
 * (plurality), or the yes/no decision goes the other way by the question's own rule, with
 * no tie left to a lot. W need not lose to X itself: once X passes W, W has lost.
 *
 * - Members' vote (OMOV): a members move from W to the runner-up X; a = ⌊(W−X)/2⌋+1 for
 *   plurality, the yes/no rule's own threshold otherwise.
 * - Bloc conference: a branch's delegates follow its winner, so the question is which
 *   branches to turn, each at the price of the members needed to turn it (taking votes
 *   from whoever leads there). Against each challenger X this is a multiple-choice
 *   knapsack over branches — turn a branch of W's to X (the X−W margin gains 2d), to a
 *   third option (gains d), or a third option's branch to X (gains d) — solved exactly by
 *   dynamic programming over the delegate margin.
 * - Proportional conference: members move from W to X within branches; each branch offers
 *   the margin it yields for each number of movers (found by bisection, the splits being
 *   monotone in the movers), and the same knapsack picks the cheapest combination. Ties in
 *   these hypothetical splits go against the challenger.
 * - Weighted conference: each moving member carries d_b/v_b of a delegate vote, twice that
 *   in the margin if they leave W for X; the cheapest set takes the heaviest votes first,
 *   which is exact because every member costs the same.
 */
import { type Rational, ZERO, add, cmp, div, floor, mul, rat, sub, sum } from '../tally/rational';
import type { TallyOptions } from '../tally/index';
import { type ApportionmentMethod, apportion } from './apportion';

/** How a single-mark question is decided, as far as flips need to know. */
export type MarkRule =
  { readonly kind: 'plurality' } | { readonly kind: 'yesno'; readonly yes: number; readonly threshold: Rational };

export interface FlipChange {
  /** null: any member will do (the members' vote does not care where they live). */
  readonly branch: string | null;
  /** Members who change their vote, by the option they leave. */
  readonly from: Readonly<Record<string, number>>;
  readonly to: string;
  readonly members: number;
}

export interface Flip {
  /** The option that passes the winner (plurality) or the decision it turns to (yes/no). */
  readonly to: string;
  /** Members who must change their vote, in all. */
  readonly members: number;
  readonly changes: ReadonlyArray<FlipChange>;
  readonly note: string;
}

/** The rule for `count`, or null where exact flips are not computed (ranked, score, several marks). */
export function markRule(count: TallyOptions, options: ReadonlyArray<string>): MarkRule | null {
  if (count.method === 'plurality') return { kind: 'plurality' };
  if (count.method === 'yesno' && options.length === 2) {
    const named = (i: number, n: string): boolean => options[i]!.trim().toLowerCase() === n;
    const yes = named(0, 'no') && named(1, 'yes') ? 1 : 0;
    const t = count.threshold;
    const threshold = t === undefined ? rat(1, 2) : typeof t === 'string' ? parseFraction(t) : t;
    return { kind: 'yesno', yes, threshold };
  }
  return null;
}

function parseFraction(s: string): Rational {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  if (m) return rat(BigInt(m[1]!), BigInt(m[2]!));
  const d = /^\s*(\d*)(?:\.(\d+))?\s*$/.exec(s);
  if (d && (d[1] || d[2])) return rat(BigInt((d[1] || '0') + (d[2] ?? '')), 10n ** BigInt((d[2] ?? '').length));
  throw new RangeError(`not a fraction: ${JSON.stringify(s)}`);
}

/** Does W lose for certain once `m` votes move from W to X? (Monotone in m.) */
export function loses(rule: MarkRule, totals: ReadonlyArray<Rational>, w: number, x: number, m: Rational): boolean {
  const W = sub(totals[w]!, m);
  const X = add(totals[x]!, m);
  if (rule.kind === 'plurality') return cmp(X, W) > 0;
  const cast = sum(totals);
  const [yes, no] = w === rule.yes ? [W, X] : [X, W];
  const carried = cmp(yes, mul(rule.threshold, cast)) >= 0 && cmp(yes, no) > 0;
  return w === rule.yes ? !carried : carried;
}

/** The fewest whole votes (1..cap) whose move from W to X makes W lose, or null. */
export function minMove(
  rule: MarkRule,
  totals: ReadonlyArray<Rational>,
  w: number,
  x: number,
  cap: number,
): number | null {
  if (cap < 1 || !loses(rule, totals, w, x, rat(cap))) return null;
  let lo = 1;
  let hi = cap;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (loses(rule, totals, w, x, rat(mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const isWhole = (r: Rational): boolean => r.den === 1n;
export const allWhole = (xs: ReadonlyArray<Rational>): boolean => xs.every(isWhole);
const n = (r: Rational): number => Number(r.num / r.den);

/** Members' vote: the fewest members moving from the winner to one challenger. */
export function memberFlip(
  rule: MarkRule,
  options: ReadonlyArray<string>,
  totals: ReadonlyArray<Rational>,
  w: number,
): Flip | null {
  let best: { x: number; a: number } | null = null;
  for (let x = 0; x < options.length; x++) {
    if (x === w) continue;
    const a = minMove(rule, totals, w, x, n(totals[w]!));
    if (a !== null && (best === null || a < best.a)) best = { x, a };
  }
  if (best === null) return null;
  const to = options[best.x]!;
  return {
    to,
    members: best.a,
    changes: [{ branch: null, from: { [options[w]!]: best.a }, to, members: best.a }],
    note: `${best.a} member${best.a === 1 ? '' : 's'} voting ${options[w]} in any branch would have to vote ${to} instead.`,
  };
}

// ------------------------------------------------------------------ branch turning (bloc)

/** Fewest members changing to `z` (from whoever leads) so that `z` strictly heads the branch. */
export function turnBranch(votes: ReadonlyArray<number>, z: number): { members: number; from: number[] } | null {
  const others = votes.reduce((a, v, i) => a + (i === z ? 0 : v), 0);
  const need = (k: number): number =>
    votes.reduce((a, v, i) => a + (i === z ? 0 : Math.max(0, v - (votes[z]! + k) + 1)), 0);
  if (others === 0 || need(others) > others) return null;
  let lo = 0;
  let hi = others;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (need(mid) <= mid) hi = mid;
    else lo = mid + 1;
  }
  const k = lo;
  const from = votes.map((v, i) => (i === z ? 0 : Math.max(0, v - (votes[z]! + k) + 1)));
  let extra = k - from.reduce((a, x) => a + x, 0);
  // Any further movers come from the largest remaining others (it does not matter whom).
  while (extra > 0) {
    let best = -1;
    for (let i = 0; i < votes.length; i++)
      if (i !== z && votes[i]! - from[i]! > 0 && (best < 0 || votes[i]! - from[i]! > votes[best]! - from[best]!))
        best = i;
    if (best < 0) return null;
    from[best]!++;
    extra--;
  }
  return { members: k, from };
}

interface Item {
  readonly gain: number;
  readonly cost: number;
  readonly change: FlipChange;
}

/** Cheapest choice of at most one item per branch reaching total gain ≥ target, exactly. */
function knapsack(
  groups: ReadonlyArray<ReadonlyArray<Item>>,
  target: number,
  cellLimit: number,
): { cost: number; changes: FlipChange[] } | null | 'too large' {
  if (target <= 0) return { cost: 0, changes: [] };
  const live = groups.filter((g) => g.length > 0);
  if (live.length * (target + 1) > cellLimit) return 'too large';
  let dp = new Float64Array(target + 1).fill(Infinity);
  dp[0] = 0;
  const choices: Int32Array[] = [];
  const parents: Int32Array[] = [];
  for (const items of live) {
    const next = dp.slice();
    const choice = new Int32Array(target + 1);
    const parent = new Int32Array(target + 1);
    for (let g = 0; g <= target; g++) {
      const base = dp[g]!;
      if (base === Infinity) continue;
      for (let k = 0; k < items.length; k++) {
        const it = items[k]!;
        const to = Math.min(target, g + it.gain);
        const c = base + it.cost;
        if (c < next[to]!) {
          next[to] = c;
          choice[to] = k + 1;
          parent[to] = g;
        }
      }
    }
    choices.push(choice);
    parents.push(parent);
    dp = next;
  }
  if (dp[target] === Infinity) return null;
  const changes: FlipChange[] = [];
  let g = target;
  for (let b = live.length - 1; b >= 0; b--) {
    const k = choices[b]![g]!;
    if (k === 0) continue;
    changes.push(live[b]![k - 1]!.change);
    g = parents[b]![g]!;
  }
  changes.reverse();
  return { cost: dp[target]!, changes };
}

export interface BranchTotals {
  readonly name: string;
  readonly delegates: number;
  /** Whole votes per option. */
  readonly votes: ReadonlyArray<number>;
  /** Index of the option the branch's delegates follow (bloc), or null if it cast no votes. */
  readonly winner: number | null;
}

const CELL_LIMIT = 5_000_000;

function describe(members: number, changes: ReadonlyArray<FlipChange>, what: string): string {
  const where = changes.map((c) => `${c.branch} (${c.members})`).join(', ');
  return `${members} member${members === 1 ? '' : 's'} changing their vote ${what}: ${where}.`;
}

/** The delegate votes challenger X must gain over the winner W; null if no shift of W's votes can do it. */
function delegateTarget(rule: MarkRule, delegates: ReadonlyArray<number>, w: number, x: number): number | null {
  if (rule.kind === 'plurality') return delegates[w]! - delegates[x]! + 1;
  return minMove(
    rule,
    delegates.map((d) => rat(d)),
    w,
    x,
    delegates[w]!,
  );
}

/**
 * The cheapest flip of a conference over every challenger X: the delegate votes X must
 * gain, each branch's ways of giving them (`groupsFor`, a group of exclusive choices per
 * branch), solved exactly by the knapsack; the cheapest challenger wins.
 */
function cheapestConferenceFlip(
  rule: MarkRule,
  options: ReadonlyArray<string>,
  delegates: ReadonlyArray<number>,
  w: number,
  groupsFor: (x: number) => Item[][],
  what: (x: number, changes: ReadonlyArray<FlipChange>) => string,
): Flip | null | 'too large' {
  let best: { x: number; cost: number; changes: FlipChange[] } | null = null;
  let tooLarge = false;
  for (let x = 0; x < options.length; x++) {
    if (x === w) continue;
    const target = delegateTarget(rule, delegates, w, x);
    if (target === null) continue;
    const r = knapsack(groupsFor(x), target, CELL_LIMIT);
    if (r === 'too large') {
      tooLarge = true;
      continue;
    }
    if (r !== null && (best === null || r.cost < best.cost)) best = { x, cost: r.cost, changes: r.changes };
  }
  if (best === null) return tooLarge ? 'too large' : null;
  return {
    to: options[best.x]!,
    members: best.cost,
    changes: best.changes,
    note: describe(best.cost, best.changes, what(best.x, best.changes)),
  };
}

/** Conference by bloc votes: the cheapest set of branches to turn. */
export function blocFlip(
  rule: MarkRule,
  options: ReadonlyArray<string>,
  branches: ReadonlyArray<BranchTotals>,
  delegates: ReadonlyArray<number>,
  w: number,
): Flip | null | 'too large' {
  const groupsFor = (x: number): Item[][] => {
    const groups: Item[][] = [];
    for (const b of branches) {
      const items: Item[] = [];
      const add = (z: number, gain: number): void => {
        const turn = rule.kind === 'plurality' ? turnBranch(b.votes, z) : turnYesNo(rule, b.votes, b.winner!, z);
        if (turn === null) return;
        const from: Record<string, number> = {};
        turn.from.forEach((c, i) => {
          if (c > 0) from[options[i]!] = c;
        });
        items.push({
          gain,
          cost: turn.members,
          change: { branch: b.name, from, to: options[z]!, members: turn.members },
        });
      };
      if (b.winner === null || b.delegates === 0 || b.winner === x) {
        groups.push(items);
        continue;
      }
      if (rule.kind === 'plurality') {
        if (b.winner === w) {
          add(x, 2 * b.delegates);
          // Turning W's branch to a third option also narrows the gap, at its own price.
          let cheapest: Item | null = null;
          for (let y = 0; y < options.length; y++) {
            if (y === w || y === x) continue;
            const before = items.length;
            add(y, b.delegates);
            if (items.length > before) {
              const it = items.pop()!;
              if (cheapest === null || it.cost < cheapest.cost) cheapest = it;
            }
          }
          if (cheapest !== null) items.push(cheapest);
        } else add(x, b.delegates);
      } else if (b.winner === w) add(x, b.delegates);
      groups.push(items);
    }
    return groups;
  };
  return cheapestConferenceFlip(
    rule,
    options,
    delegates,
    w,
    groupsFor,
    (_x, changes) => `so that their branch${changes.length === 1 ? '' : 'es'} turn${changes.length === 1 ? 's' : ''}`,
  );
}

function turnYesNo(
  rule: MarkRule,
  votes: ReadonlyArray<number>,
  w: number,
  x: number,
): { members: number; from: number[] } | null {
  const a = minMove(
    rule,
    votes.map((v) => rat(v)),
    w,
    x,
    votes[w]!,
  );
  if (a === null) return null;
  return { members: a, from: votes.map((_, i) => (i === w ? a : 0)) };
}

/** Conference by proportional splits: members move from W to X inside branches. */
export function proportionalFlip(
  rule: MarkRule,
  options: ReadonlyArray<string>,
  branches: ReadonlyArray<BranchTotals>,
  splits: ReadonlyArray<ReadonlyArray<number>>,
  delegates: ReadonlyArray<number>,
  w: number,
  method: ApportionmentMethod,
): Flip | null | 'too large' {
  const groupsFor = (x: number): Item[][] => {
    // Ties in a hypothetical split go to W first and to X last.
    const order = [w, ...options.map((_, i) => i).filter((i) => i !== w && i !== x), x];
    return branches.map((b, bi) => {
      const items: Item[] = [];
      const have = b.votes[w]!;
      if (b.delegates === 0 || have === 0) return items;
      const base = splits[bi]!;
      const gainAt = (k: number): number => {
        const moved = b.votes.map((v, i) => (i === w ? v - k : i === x ? v + k : v));
        const s = apportion(
          options.map((name, i) => ({ name, population: moved[i]! })),
          { method, seats: b.delegates, tieOrder: order },
        ).seats;
        const dx = s[x]! - base[x]!;
        const dw = base[w]! - s[w]!;
        return rule.kind === 'plurality' ? dx + dw : dx;
      };
      const most = gainAt(have);
      for (let g = 1; g <= most; g++) {
        let lo = 1;
        let hi = have;
        while (lo < hi) {
          const mid = Math.floor((lo + hi) / 2);
          if (gainAt(mid) >= g) hi = mid;
          else lo = mid + 1;
        }
        items.push({
          gain: g,
          cost: lo,
          change: { branch: b.name, from: { [options[w]!]: lo }, to: options[x]!, members: lo },
        });
      }
      return items;
    });
  };
  return cheapestConferenceFlip(
    rule,
    options,
    delegates,
    w,
    groupsFor,
    (x) => `from ${options[w]} to ${options[x]}, which shifts their branches' delegates`,
  );
}

/** Conference by weighted ballots: the heaviest member votes first. */
export function weightedFlip(
  rule: MarkRule,
  options: ReadonlyArray<string>,
  branches: ReadonlyArray<BranchTotals>,
  factors: ReadonlyArray<Rational | null>,
  totals: ReadonlyArray<Rational>,
  w: number,
): Flip | null {
  let best: { x: number; cost: number; changes: FlipChange[] } | null = null;
  for (let x = 0; x < options.length; x++) {
    if (x === w) continue;
    // Units: (value in the X−W margin, or in votes moved W→X for yes/no; how many; from whom).
    type Unit = { value: Rational; cap: number; branch: number; from: number };
    const units: Unit[] = [];
    branches.forEach((b, bi) => {
      const f = factors[bi];
      if (!f || f.num === 0n) return;
      if (b.votes[w]! > 0)
        units.push({ value: rule.kind === 'plurality' ? mul(rat(2), f) : f, cap: b.votes[w]!, branch: bi, from: w });
      if (rule.kind === 'plurality') {
        b.votes.forEach((v, y) => {
          if (y !== w && y !== x && v > 0) units.push({ value: f, cap: v, branch: bi, from: y });
        });
      }
    });
    units.sort((a, b) => cmp(b.value, a.value) || a.branch - b.branch || a.from - b.from);
    // Enough once the gathered value passes the threshold.
    const enough = (value: Rational): boolean =>
      rule.kind === 'plurality'
        ? cmp(add(sub(totals[x]!, totals[w]!), value), ZERO) > 0
        : loses(rule, totals, w, x, value);
    let gathered = ZERO;
    let cost = 0;
    const taken: Array<{ unit: Unit; count: number }> = [];
    let done = false;
    for (const u of units) {
      if (enough(add(gathered, mul(u.value, rat(u.cap))))) {
        // The fewest from this block: smallest k with enough(gathered + k·value).
        const need =
          rule.kind === 'plurality'
            ? Number(floor(div(sub(totals[w]!, add(totals[x]!, gathered)), u.value))) + 1
            : bisect(u.cap, (k) => enough(add(gathered, mul(u.value, rat(k)))));
        const k = Math.max(1, Math.min(u.cap, need));
        taken.push({ unit: u, count: k });
        cost += k;
        done = true;
        break;
      }
      gathered = add(gathered, mul(u.value, rat(u.cap)));
      cost += u.cap;
      taken.push({ unit: u, count: u.cap });
    }
    if (!done) continue;
    if (best === null || cost < best.cost) {
      const byBranch = new Map<number, Record<string, number>>();
      for (const t of taken) {
        const rec = byBranch.get(t.unit.branch) ?? {};
        rec[options[t.unit.from]!] = (rec[options[t.unit.from]!] ?? 0) + t.count;
        byBranch.set(t.unit.branch, rec);
      }
      const changes = [...byBranch.keys()]
        .sort((a, b) => a - b)
        .map((bi) => {
          const from = byBranch.get(bi)!;
          return {
            branch: branches[bi]!.name,
            from,
            to: options[x]!,
            members: Object.values(from).reduce((a, c) => a + c, 0),
          };
        });
      best = { x, cost, changes };
    }
  }
  if (best === null) return null;
  return {
    to: options[best.x]!,
    members: best.cost,
    changes: best.changes,
    note: describe(best.cost, best.changes, `to ${options[best.x]}, where each vote carries the most delegate weight`),
  };
}

function bisect(cap: number, ok: (k: number) => boolean): number {
  let lo = 1;
  let hi = cap;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

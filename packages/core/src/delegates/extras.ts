/**
 * Extra delegates, as rule books grant them: "an additional delegate for a branch with 100
 * or more women members", "one more for 30 or more young members". omov holds no member's
 * gender or age, so the organiser enters each branch's count with the rule; the extras are
 * added to what the model gives a branch (after its bounds). Pure.
 */
import { DelegateError, checkWhole } from './numbers';

export interface ExtraRule {
  /** Who is counted, in the rule book's words: "women", "young members". */
  readonly label: string;
  /** A branch with at least this many of them… */
  readonly atLeast: number;
  /** …sends this many more delegates. */
  readonly delegates: number;
  /** The organiser's count per branch, by branch name; a branch not named counts 0. */
  readonly counts: Readonly<Record<string, number>>;
}

/** The extra delegates for one branch: the sum over the rules it meets. */
export function extraDelegates(rules: ReadonlyArray<ExtraRule>, branch: string): number {
  let n = 0;
  rules.forEach((r, k) => {
    checkWhole(r.atLeast, `extra delegates rule ${k + 1}: the threshold`);
    checkWhole(r.delegates, `extra delegates rule ${k + 1}: the delegates`);
    if (r.atLeast < 1) throw new DelegateError(`extra delegates rule ${k + 1}: the threshold must be at least 1`);
    const c = r.counts[branch] ?? 0;
    checkWhole(c, `extra delegates rule ${k + 1}: the count for ${branch}`);
    if (c >= r.atLeast) n += r.delegates;
  });
  return n;
}

/**
 * A unit's extras: the sum of its branches' (a pool of small branches keeps each branch's
 * own entitlement, as fixed numbers do).
 */
export function unitExtraDelegates(rules: ReadonlyArray<ExtraRule>, branches: ReadonlyArray<string>): number {
  return branches.reduce((n, b) => n + extraDelegates(rules, b), 0);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The rules in plain words, saying where the counts come from. */
export function describeExtras(rules: ReadonlyArray<ExtraRule>): string {
  if (rules.length === 0) return '';
  const each = rules.map((r) => {
    const meeting = Object.entries(r.counts)
      .filter(([, c]) => c >= r.atLeast)
      .map(([b]) => b);
    return `${plural(r.delegates, 'more delegate', 'more delegates')} for a branch with ${r.atLeast} or more ${r.label} (${meeting.length ? meeting.join(', ') : 'no branch'} by the counts entered)`;
  });
  return ` Extra delegates: ${each.join('; ')}, added after the bounds. omov does not hold members' gender or age: these counts are the organiser's, entered with the model, not checked against the roll.`;
}

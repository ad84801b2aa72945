import { add, cmp, div, mul, parseRational, rat, type Rational, sub, ZERO } from '../tally/rational';
import type { TurnoutRule } from './count';

/**
 * Figures as people read them, on pages, in emails and in CSV files: a decimal rounded to
 * at most two places with trailing zeros dropped (143/2 → 71.5, 259/3 → 86.33), never a
 * fraction. The exact values stay in the JSON results and the election record; this is the
 * one place that turns them into words and decimals.
 */

/** At most `places` decimals, rounded half away from zero, trailing zeros dropped: 143/2 → "71.5". */
export function decimal(a: Rational, places = 2): string {
  const scale = 10n ** BigInt(places);
  const neg = a.num < 0n;
  const n = (neg ? -a.num : a.num) * scale;
  const rounded = (2n * n + a.den) / (2n * a.den);
  const whole = rounded / scale;
  const frac = (rounded % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${neg && rounded !== 0n ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/**
 * An exact figure as the results carry it as a decimal: "143/2" → "71.5". A figure already
 * written as a decimal ("1.99996", a count in fixed-point rules such as Scottish STV's five
 * places) is kept as written, since rounding it would hide what the rules counted; text that
 * is not a number is kept too.
 */
export function figureText(exact: string | number | null | undefined, places = 2): string {
  if (exact === null || exact === undefined) return '';
  if (typeof exact === 'string' && /^-?\d+(\.\d+)?$/.test(exact.trim())) return exact.trim();
  try {
    return decimal(parseRational(typeof exact === 'number' ? exact.toFixed(12) : exact), places);
  } catch {
    return String(exact);
  }
}

/** A share (0 to 1, exact or not) as a percentage with one decimal: "6.98%". */
export function percentText(share: Rational | string | number, places = 1): string {
  const r =
    typeof share === 'number'
      ? parseRational(share.toFixed(12))
      : typeof share === 'string'
        ? parseRational(share)
        : share;
  return `${decimal(mul(r, rat(100)), places)}%`;
}

const FRACTION_WORDS: Record<string, string> = {
  '1/2': 'a majority',
  '2/3': 'two thirds',
  '3/4': 'three quarters',
  '3/5': 'three fifths',
  '1/1': 'every vote',
};

/** A threshold in words: 2/3 → "two thirds", 0.55 → "55%". */
export function thresholdWords(threshold: Rational): string {
  return FRACTION_WORDS[`${threshold.num}/${threshold.den}`] ?? percentText(threshold);
}

/**
 * How far a motion was from its threshold, counted the way the threshold is: the further
 * votes for the proposal that would have carried it (each also a vote cast), or the votes it
 * had to spare. Not No minus Yes, which ignores a two-thirds rule.
 */
export function motionMargin(s: {
  yes: string;
  no: string;
  threshold: string;
  yesName?: string;
  /** What is counted: 'vote' (members' votes), or 'delegate vote' for a conference. */
  noun?: string;
}): {
  carried: boolean;
  /** Votes to spare (carried) or short (not carried); null when more votes could not carry it (unanimity). */
  votes: Rational | null;
  /** Not carried, and `votes` more would only tie: it needed more than that. */
  moreThan: boolean;
  sentence: string;
} {
  const yes = parseRational(s.yes);
  const no = parseRational(s.no);
  const t = parseRational(s.threshold);
  const name = s.yesName ?? 'Yes';
  const noun = s.noun ?? 'vote';
  const words = thresholdWords(t);
  const cast = add(yes, no);
  const carried = cmp(yes, mul(t, cast)) >= 0 && cmp(yes, no) > 0;
  if (carried) {
    // Votes to spare: how many could have gone from the proposal to the other side with the
    // same result. Moving x keeps the votes cast; it carries while yes − x ≥ t·cast and yes − x > no + x.
    const byThreshold = sub(yes, mul(t, cast));
    const byMajority = div(sub(yes, no), rat(2));
    const spare = cmp(byThreshold, byMajority) <= 0 ? byThreshold : byMajority;
    return {
      carried,
      votes: spare,
      moreThan: false,
      sentence: `${name} had ${votes(spare, '', noun)} to spare over ${words} of the votes cast.`,
    };
  }
  if (cmp(t, rat(1)) === 0)
    return {
      carried,
      votes: null,
      moreThan: false,
      sentence: `${name} needed every vote cast; ${votes(no, '', noun)} went the other way.`,
    };
  // Further votes x for the proposal (each also a vote cast): yes + x ≥ t·(yes + x + no),
  // that is x ≥ (t·no − (1 − t)·yes) / (1 − t); and yes + x must exceed no.
  const rest = sub(rat(1), t);
  const forThreshold = div(sub(mul(t, no), mul(rest, yes)), rest);
  const more = cmp(forThreshold, ZERO) > 0 ? forThreshold : ZERO;
  if (cmp(yes, no) === 0 && cmp(more, ZERO) === 0)
    return {
      carried,
      votes: ZERO,
      moreThan: true,
      sentence: `${name} tied with the other side; a tie does not carry.`,
    };
  if (cmp(add(yes, more), no) <= 0)
    return {
      carried,
      votes: sub(no, yes),
      moreThan: true,
      sentence: `${name} needed more than ${votes(sub(no, yes), 'more ', noun)} for ${words}.`,
    };
  return {
    carried,
    votes: more,
    moreThan: false,
    sentence: `${name} needed ${votes(more, 'more ', noun)} for ${words} of the votes cast.`,
  };
}

const votes = (n: Rational, more = '', noun = 'vote') =>
  `${decimal(n)} ${more}${noun}${cmp(n, rat(1)) === 0 ? '' : 's'}`;

/** A motion's count summary (the yesno engine's `summary`), its figures exact strings. */
export type MotionSummary = {
  yes: string;
  no: string;
  threshold: string;
  quorum?: string | null;
  quorumNeeded?: string | null;
  quorumMet?: boolean | null;
  turnout?: string;
  electorate?: string | null;
};

/** A share of an electorate in words: 1/4 → "a quarter", 1/2 → "half", 0.3 → "30%". */
function partWords(share: Rational): string {
  const words: Record<string, string> = {
    '1/2': 'half',
    '1/3': 'a third',
    '1/4': 'a quarter',
    '1/5': 'a fifth',
    '1/10': 'a tenth',
  };
  return words[`${share.num}/${share.den}`] ?? FRACTION_WORDS[`${share.num}/${share.den}`] ?? percentText(share);
}

/**
 * A motion's result and rule as people read them: figures as decimals, the threshold and
 * the quorum in words, and the distance to the threshold. The engine's own notes say the
 * same with exact fractions ("at least 2/3 needed (259/3)"); they stay in the JSON and the
 * election record, where a verifier recounts them byte for byte.
 */
export function motionWords(
  s: MotionSummary,
  yesName = 'Yes',
  noName = 'No',
  turnout: TurnoutRule = 'ballot',
): { result: string; rule: string } {
  const t = parseRational(s.threshold);
  const yes = parseRational(s.yes);
  const no = parseRational(s.no);
  const words = thresholdWords(t);
  const majority = cmp(t, rat(1, 2)) === 0;
  const quorum = s.quorum ? parseRational(s.quorum) : null;
  const rule =
    `The proposal carries with ${majority ? 'more than half' : `at least ${words}`} of the votes cast (${yesName} + ${noName})` +
    ` and more ${yesName} than ${noName}; abstentions and invalid papers are not votes cast` +
    `${quorum ? `; the quorum is a turnout of ${partWords(quorum)} of the electorate, counting ${turnout === 'ballot' ? 'every member who returned the ballot, whether they voted on this question or abstained' : 'the members who answered this question (the rule when this ballot was counted)'}` : ''}.`;
  if (s.quorumMet === false && quorum && s.quorumNeeded && s.turnout !== undefined && s.electorate)
    return {
      rule,
      result: `Quorum not reached: a turnout of ${figureText(s.turnout)} is below ${figureText(s.quorumNeeded)} (${partWords(quorum)} of an electorate of ${figureText(s.electorate)}); the vote decides nothing.`,
    };
  const cast = add(yes, no);
  const quorate =
    s.quorumMet === true && s.quorumNeeded && s.turnout !== undefined
      ? ` Quorum reached: a turnout of ${figureText(s.turnout)} (${figureText(s.quorumNeeded)} needed).`
      : '';
  const result =
    `${yesName} ${decimal(yes)}, ${noName} ${decimal(no)}, of ${decimal(cast)} votes cast; ${words} needed` +
    ` (${decimal(mul(t, cast))}${majority ? ` and more than ${noName}` : ''}). ` +
    motionMargin({ yes: s.yes, no: s.no, threshold: s.threshold, yesName }).sentence +
    quorate;
  return { rule, result };
}

/**
 * ERS97: the Electoral Reform Society's rules for STV, "How to conduct an election by the
 * Single Transferable Vote", 3rd edition (Robert A. Newland and Frank S. Britton, 1997),
 * section 5. Paragraph numbers below are the rules'.
 *
 * Arithmetic is fixed point with 2 decimals: the quota is the division to two places,
 * exact or else truncated and increased by 0.01 (5.1.6); transfer values are to two places,
 * remainder ignored (5.3.7); votes are papers x value, also to two places.
 *
 * - A surplus is taken from all the papers if it arose at the first stage (5.3.1), else from
 *   the last batch received (5.3.2). Transfer value = surplus / number of transferable
 *   papers, unless those papers are worth no more than the surplus: then they pass at their
 *   value (5.3.7). What the truncation loses is the "non-transferable difference" (here:
 *   loss); the rest of a surplus that the papers cannot carry is non-transferable (exhausted).
 * - Surpluses are deferred while they could not change which candidates are excluded next
 *   (5.2.2); candidates are excluded together as far as 5.2.5 allows, their papers passing in
 *   batches of equal value, highest first, with candidates deemed elected after each batch
 *   and then passed over (5.4).
 * - Deemed elected: vote >= quota, or vote >= total active vote / (places unfilled + 1)
 *   (5.1.7, 5.3.13, 5.4.9). (We require a vote above zero for the second test, so that an
 *   all-zero remainder does not elect by it.) Before anyone is elected, the quota is
 *   recalculated without the non-transferable vote (5.4.8).
 * - Ties: looking forward from the first stage, through every point after a batch of
 *   papers, to the first where the candidates differ (5.2.3, 5.2.5, 5.6.2); then by lot,
 *   except that candidates level for election at every point are not deemed elected at
 *   that stage (5.6.2).
 */
import { groupWeights } from './ballots';
import { scaleOf, show, type Fixed } from './fixed';
import { StageLog, TransferSum, nameList, writeRound, type CountOutcome, type CountSetup } from './record';
import { breakTie, type Point } from './ties';
import type { Round } from '../types';

const CONTINUING = 0;
const ELECTED = 1;
const EXCLUDED = 2;
const WITHDRAWN = 3;

/** Papers received together at one value: a batch (6.1), a linked list of parcels. */
interface Batch {
  readonly head: number;
  readonly value: Fixed;
}

export function countErs97(setup: CountSetup): CountOutcome {
  const { names, standing, seats, ballots: p, ties, balance } = setup;
  const s = scaleOf(2);
  const one = s.one;
  const n = names.length;
  const fmt = (v: Fixed): string => show(v, s);

  const status = new Uint8Array(n).fill(WITHDRAWN);
  for (const c of standing) status[c] = CONTINUING;
  let continuing = standing.length;
  const elected: number[] = [];
  const electedFirstStage = new Uint8Array(n);

  // Each distinct ranking is a parcel of identical papers; the parcels of a batch form a
  // linked list through `next`. Whole numbers of papers (the usual case) are summed as
  // integers and multiplied by the batch's value once; otherwise each parcel's papers are a
  // fixed-point weight and its worth is truncated parcel by parcel.
  const { prefs, start } = p;
  const G = p.groups;
  const counts = p.counts;
  const papers = counts ? null : groupWeights(p, s);
  const pos = new Int32Array(G);
  const next = new Int32Array(G);
  const batches: Batch[][] = Array.from({ length: n }, () => []);
  const votes = new Array<Fixed>(n).fill(0n);
  const worth = (g: number, v: Fixed): Fixed => (counts ? BigInt(counts[g]!) * v : (papers![g]! * v) / one);

  // 5.1: first stage.
  let total = 0n;
  const firstHead = new Int32Array(n).fill(-1);
  const firstPapers = counts ? new Uint32Array(n) : null;
  for (let g = 0; g < G; g++) {
    const c = prefs[start[g]!]!;
    pos[g] = start[g]!;
    next[g] = firstHead[c]!;
    firstHead[c] = g;
    if (firstPapers) firstPapers[c] = firstPapers[c]! + counts![g]!;
    else votes[c] = votes[c]! + papers![g]!;
  }
  for (const c of standing) {
    if (firstPapers) votes[c] = BigInt(firstPapers[c]!) * one;
    total += votes[c]!;
    if (firstHead[c] !== -1) batches[c]!.push({ head: firstHead[c]!, value: one });
  }

  const quotaOf = (valid: Fixed): Fixed => {
    const d = BigInt(seats + 1);
    return (valid + d - 1n) / d; // to two places; if not exact, truncated plus 0.01
  };
  let quota = quotaOf(total);
  let exhausted = 0n;
  let loss = 0n;
  const pending: number[] = []; // deemed elected, surplus not yet transferred

  const rounds: Round[] = [];
  const points: Point[] = [];
  let stage = 1;
  let log = new StageLog();
  const mark = (label: string): void => {
    points.push({ votes: votes.slice(), label });
  };
  mark('the first stage');
  log.notes.push(
    `First stage (5.1): total valid vote ${fmt(total)}; quota ${fmt(total)} / ${seats + 1} = ${fmt(quota)} (5.1.6).`,
  );

  const surplusOf = (c: number): Fixed => (votes[c]! > quota ? votes[c]! - quota : 0n);
  const totalActiveVote = (): Fixed => {
    let t = 0n;
    // Continuing candidates, plus votes awaiting transfer: surpluses, and the papers of
    // candidates being excluded that have not passed on yet (6.20).
    for (const c of standing) if (status[c] !== ELECTED) t += votes[c]!;
    for (const c of pending) t += surplusOf(c);
    return t;
  };

  const elect = (c: number): void => {
    status[c] = ELECTED;
    continuing--;
    elected.push(c);
    log.elected.push(c);
    if (stage === 1) electedFirstStage[c] = 1;
    if (votes[c]! > quota) pending.push(c);
  };

  const continuingNow = (): number[] => standing.filter((c) => status[c] === CONTINUING);
  /** Balance rule 1: why electing c now would leave a rule unmet, or null. */
  const blockedBy = (c: number): string | null =>
    balance ? balance.blocks(c, elected, continuingNow(), seats - elected.length) : null;

  /** 5.1.7, 5.3.13, 5.4.9 with 5.6.2: deem elected, in descending order of votes. */
  const deemElected = (): void => {
    const order = continuingNow().sort((a, b) => (votes[b]! > votes[a]! ? 1 : votes[b]! < votes[a]! ? -1 : a - b));
    let i = 0;
    while (i < order.length && elected.length < seats) {
      const v = votes[order[i]!]!;
      const places = seats - elected.length;
      const tav = totalActiveVote();
      const byQuota = v >= quota;
      if (!byQuota && !(v > 0n && v * BigInt(places + 1) >= tav)) break;
      let j = i;
      while (j < order.length && votes[order[j]!] === v) j++;
      // Balance rule 1: one whose election would leave a rule unmet is not deemed elected
      // (and is excluded at the next stage); the level candidates are checked one by one.
      const group: number[] = [];
      for (const c of order.slice(i, j)) {
        const why = blockedBy(c);
        if (why === null) group.push(c);
        else
          log.notes.push(
            `${names[c]} qualifies, but electing ${names[c]} would leave a balance rule unmet (${why}): not deemed elected (balance rule 1).`,
          );
      }
      i = j;
      if (!group.length) continue;
      if (balance && group.length > 1 && group.length <= places) {
        // Level candidates may block one another (two men for the last man's place).
        for (const c of group) {
          const why = blockedBy(c);
          if (why === null) {
            elect(c);
            log.notes.push(
              `${names[c]} is deemed elected, ${byQuota ? 'reaching the quota' : 'by the total active vote'}.`,
            );
          } else
            log.notes.push(
              `${names[c]} qualifies, but with those before elected would leave a balance rule unmet (${why}): not deemed elected (balance rule 1).`,
            );
        }
        continue;
      }
      const how = byQuota
        ? 'reaching the quota'
        : `reaching the total active vote / ${places + 1} (${fmt(tav)} / ${places + 1})`;
      if (group.length <= places) {
        for (const c of group) elect(c);
        log.notes.push(`${nameList(names, group)} ${group.length > 1 ? 'are' : 'is'} deemed elected, ${how}.`);
        continue;
      }
      // 5.6.2: more level candidates than places.
      let level = group;
      const chosen: number[] = [];
      while (chosen.length < places) {
        const c = breakTie(ties, {
          tied: level,
          want: 'most',
          points,
          round: stage,
          purpose: `the last place${places > 1 ? 's' : ''} (5.6.2)`,
          show: fmt,
          lot: false,
        });
        if (c === null) break;
        chosen.push(c);
        level = level.filter((x) => x !== c);
      }
      for (const c of chosen) {
        const why = blockedBy(c);
        if (why === null) elect(c);
        else
          log.notes.push(
            `${names[c]} wins the tie, but with those before elected would leave a balance rule unmet (${why}): not deemed elected (balance rule 1).`,
          );
      }
      if (chosen.length)
        log.notes.push(`${nameList(names, chosen)} deemed elected, ${how}, ahead of level candidates (5.6.2).`);
      if (chosen.length < places)
        log.notes.push(
          `${nameList(names, level)} have been level at every point of the count: none of them is deemed elected at this stage (5.6.2).`,
        );
      break;
    }
  };

  /** The next continuing preference of parcel g after its current one, or -1. */
  const nextChoice = (g: number): number => {
    const end = start[g + 1]!;
    let q = pos[g]! + 1;
    while (q < end && status[prefs[q]!] !== CONTINUING) q++;
    return q < end ? q : -1;
  };

  /**
   * Pass the parcels of a list (those `only` allows), each paper now worth v, to their next
   * continuing preferences, linking them into `got`, the new batch of each candidate (index
   * n: non-transferable). The amounts go to `sum` and the votes.
   */
  const pass = (
    first: number,
    v: Fixed,
    sum: TransferSum,
    got: Int32Array,
    only: ((g: number) => boolean) | null = null,
  ): void => {
    const whole = counts ? new Uint32Array(n + 1) : null;
    const amount = counts ? null : new Array<Fixed>(n + 1).fill(0n);
    const reached = new Uint8Array(n + 1);
    for (let g = first; g !== -1;) {
      const after = next[g]!;
      if (!only || only(g)) {
        const q = nextChoice(g);
        const d = q < 0 ? n : prefs[q]!;
        if (q >= 0) pos[g] = q;
        next[g] = got[d]!;
        got[d] = g;
        reached[d] = 1;
        if (whole) whole[d] = whole[d]! + counts![g]!;
        else amount![d] = amount![d]! + worth(g, v);
      }
      g = after;
    }
    for (let d = 0; d <= n; d++) {
      if (!reached[d]) continue;
      const credit = whole ? BigInt(whole[d]!) * v : amount![d]!;
      if (d === n) {
        sum.exhausted += credit;
        continue;
      }
      votes[d] = votes[d]! + credit;
      sum.add(d, credit);
    }
  };
  /** A new, empty set of batches to receive papers into. */
  const receiving = (): Int32Array => new Int32Array(n + 1).fill(-1);
  /** What each candidate received at one value is one batch (6.1). */
  const file = (got: Int32Array, v: Fixed): void => {
    for (let d = 0; d < n; d++) if (got[d] !== -1) batches[d]!.push({ head: got[d]!, value: v });
  };

  const endStage = (): void => {
    let sum = 0n;
    for (const c of standing) sum += votes[c]!;
    if (sum + exhausted + loss !== total) throw new Error('ers97: votes not conserved (a bug)');
    rounds.push(writeRound(names, standing, s, { number: stage, votes: votes.slice(), exhausted, loss, quota }, log));
  };

  /** 5.3: transfer the surplus of c. */
  const transferSurplus = (c: number): void => {
    const surplus = votes[c]! - quota;
    const selected = electedFirstStage[c] ? batches[c]! : batches[c]!.slice(-1);
    const present = selected[0]?.value ?? one;
    // Sort the selected papers: the transferable ones, their number and their value.
    let wholeNumber = 0;
    let number = 0n;
    let worthAll = 0n;
    for (const b of selected) {
      for (let g = b.head; g !== -1; g = next[g]!) {
        if (nextChoice(g) < 0) continue;
        if (counts)
          wholeNumber += counts[g]!; // below 2^32 in all
        else number += papers![g]!;
        worthAll += worth(g, b.value);
      }
    }
    if (counts) number = BigInt(wholeNumber) * one;
    const reduced = worthAll > surplus;
    const tv = reduced ? (surplus * one) / number : present;
    const sum = new TransferSum(n);
    // All selected papers are of one value (one batch, or the first stage's papers at 1).
    const movable = (g: number): boolean => nextChoice(g) >= 0;
    const got = receiving();
    for (const b of selected) pass(b.head, tv, sum, got, movable);
    file(got, tv);
    const moved = sum.total();
    if (reduced) loss += surplus - moved;
    else exhausted += surplus - moved;
    votes[c] = quota;
    batches[c] = [];
    log.transfers.push(sum.write(names, s, c, 'surplus', tv));
    const source = electedFirstStage[c]
      ? 'all the papers (5.3.1)'
      : `the last batch received, papers of value ${fmt(present)} (5.3.2)`;
    log.notes.push(
      reduced
        ? `Surplus of ${names[c]} (${fmt(surplus)}) transferred from ${source}: ${fmt(surplus)} / ${fmt(number)} transferable papers = ${fmt(tv)} each, remainder ignored (5.3.7); non-transferable difference ${fmt(surplus - moved)}.`
        : number === 0n
          ? `Surplus of ${names[c]} (${fmt(surplus)}) examined in ${source}: none of the papers has a next available preference, so ${fmt(surplus)} is non-transferable (5.3.7).`
          : `Surplus of ${names[c]} (${fmt(surplus)}) transferred from ${source}: the ${fmt(number)} transferable papers are worth no more than the surplus, so pass at their value ${fmt(tv)} (5.3.7); ${fmt(surplus - moved)} non-transferable.`,
    );
    mark(`stage ${stage}`);
  };

  /**
   * Balance rule 2: when a candidate the rules need is among those 5.2.5 would exclude, the
   * candidate with the fewest votes of those not needed is excluded alone (ties by 5.2.5).
   * Excluding several together is kept only when none of them is needed and the rules can
   * still be met without all of them.
   */
  const chooseExclusionBalanced = (deferred: Fixed): number[] => {
    const out = chooseExclusion(deferred);
    const hope = continuingNow();
    const needed = balance!.neededAmong(elected, hope, seats - elected.length);
    if (
      !out.some((c) => needed.has(c)) &&
      balance!.feasible(
        elected,
        hope.filter((c) => !out.includes(c)),
        seats - elected.length,
      )
    )
      return out;
    let low: Fixed | null = null;
    for (const c of hope) if (!needed.has(c) && (low === null || votes[c]! < low)) low = votes[c]!;
    for (const c of hope)
      if (needed.has(c) && votes[c]! <= low!)
        log.notes.push(
          `${names[c]} has fewer votes (${fmt(votes[c]!)}) but is needed to meet a balance rule (${needed.get(c)!}), so is not excluded (balance rule 2).`,
        );
    const level = hope.filter((c) => !needed.has(c) && votes[c] === low);
    return [
      level.length === 1
        ? level[0]!
        : breakTie(ties, {
            tied: level,
            want: 'fewest',
            points,
            round: stage,
            purpose: 'exclusion (5.2.5)',
            show: fmt,
            lot: true,
          })!,
    ];
  };

  /** 5.2.5 and 5.5.1: which candidates to exclude now, given the deferred surpluses. */
  const chooseExclusion = (deferred: Fixed): number[] => {
    const places = seats - elected.length;
    const asc = standing
      .filter((c) => status[c] === CONTINUING)
      .sort((a, b) => (votes[a]! < votes[b]! ? -1 : votes[a]! > votes[b]! ? 1 : a - b));
    const m = asc.length;
    let k = 1;
    let sum = votes[asc[0]!]!;
    for (let j = 2; j <= m - places; j++) {
      sum += votes[asc[j - 1]!]!;
      if (sum + deferred <= votes[asc[j]!]!) k = j;
    }
    const edge = votes[asc[k - 1]!]!;
    if (k === m || votes[asc[k]!]! !== edge) return asc.slice(0, k);
    // The candidates level with the last one to go straddle the line: the rules choose.
    const out = asc.filter((c) => votes[c]! < edge);
    let level = asc.filter((c) => votes[c] === edge);
    while (out.length < k) {
      const c = breakTie(ties, {
        tied: level,
        want: 'fewest',
        points,
        round: stage,
        purpose: 'exclusion (5.2.5)',
        show: fmt,
        lot: true,
      })!;
      out.push(c);
      level = level.filter((x) => x !== c);
    }
    return out;
  };

  /** 5.2.2: can the surpluses wait? Only if they cannot change who is excluded next. */
  const deferrable = (surpluses: Fixed): boolean => {
    const places = seats - elected.length;
    const asc = standing
      .filter((c) => status[c] === CONTINUING)
      .map((c) => votes[c]!)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let sum = 0n;
    for (let k = 1; k <= asc.length - places; k++) {
      sum += asc[k - 1]!;
      if (sum + surpluses <= asc[k]!) return true;
    }
    return false;
  };

  /**
   * 5.4: exclude the candidates, passing their papers in batches, highest value first.
   * `because`: the notes saying why, when it is not for having the fewest votes.
   */
  const exclude = (out: number[], deferred: Fixed, because: string[] | null = null): void => {
    for (const c of out) {
      status[c] = EXCLUDED;
      continuing--;
      log.excluded.push(c);
    }
    const low = out.map((c) => `${names[c]} (${fmt(votes[c]!)})`).join(', ');
    if (because) log.notes.push(...because);
    else
      log.notes.push(
        `${out.length > 1 ? 'Excluded together' : 'Excluded'}, having the fewest votes: ${low}${deferred > 0n ? `; surpluses of ${fmt(deferred)} deferred (5.2.2)` : ''} (5.2.5).`,
      );
    if (continuing <= seats - elected.length) return; // 5.5.1: the rest are elected, nothing moves
    const byValue = new Map<Fixed, Map<number, number[]>>(); // value -> candidate -> list heads
    for (const c of out) {
      for (const b of batches[c]!) {
        let m = byValue.get(b.value);
        if (!m) byValue.set(b.value, (m = new Map()));
        const heads = m.get(c);
        if (heads) heads.push(b.head);
        else m.set(c, [b.head]);
      }
      batches[c] = [];
    }
    const values = [...byValue.keys()].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    for (const v of values) {
      const got = receiving();
      for (const c of out) {
        const heads = byValue.get(v)!.get(c);
        if (!heads) continue;
        const sum = new TransferSum(n);
        for (const h of heads) pass(h, v, sum, got);
        votes[c] = votes[c]! - sum.total() - sum.exhausted;
        exhausted += sum.exhausted;
        log.transfers.push(sum.write(names, s, c, 'exclusion', v));
      }
      file(got, v);
      mark(`stage ${stage}, after the batch of value ${fmt(v)}`);
      if (elected.length === 0 && exhausted > 0n) {
        const q = quotaOf(total - exhausted);
        if (q !== quota) {
          quota = q;
          log.notes.push(
            `No one is elected yet and ${fmt(exhausted)} is non-transferable: quota recalculated as ${fmt(total - exhausted)} / ${seats + 1} = ${fmt(quota)} (5.4.8).`,
          );
        }
      }
      deemElected();
      if (v !== values[values.length - 1] && (elected.length >= seats || continuing <= seats - elected.length)) {
        log.notes.push('The remaining batches are not transferred: the places are settled (5.5).');
        break;
      }
    }
  };
  deemElected();
  for (;;) {
    if (elected.length >= seats || continuing <= seats - elected.length) break;
    endStage();
    stage++;
    log = new StageLog();
    const surpluses = pending.reduce((t, c) => t + surplusOf(c), 0n);
    const doomed = balance ? balance.inNoCompletion(elected, continuingNow(), seats - elected.length) : [];
    if (doomed.length) {
      // Balance rule 1: in a stage of its own, before any surplus; their papers pass in
      // batches as in any exclusion (5.4).
      exclude(
        doomed.map(([c]) => c),
        0n,
        doomed.map(
          ([c, why]) =>
            `Electing ${names[c]} would leave a balance rule unmet (${why}), so ${names[c]} is excluded under the balance rules (balance rule 1).`,
        ),
      );
    } else if (pending.length && !deferrable(surpluses)) {
      // 5.2.3: the largest surplus.
      let high = surplusOf(pending[0]!);
      for (const c of pending) if (surplusOf(c) > high) high = surplusOf(c);
      const tied = pending.filter((c) => surplusOf(c) === high);
      const c =
        tied.length === 1
          ? tied[0]!
          : breakTie(ties, {
              tied,
              want: 'most',
              points,
              round: stage,
              purpose: 'the largest surplus (5.2.3)',
              show: fmt,
              lot: true,
            })!;
      pending.splice(pending.indexOf(c), 1);
      transferSurplus(c);
      deemElected();
    } else {
      exclude(balance ? chooseExclusionBalanced(surpluses) : chooseExclusion(surpluses), surpluses);
    }
  }

  // 5.5.1 / 5.5.2: fill the last places, or exclude the rest formally.
  const rest = standing
    .filter((c) => status[c] === CONTINUING)
    .sort((a, b) => (votes[b]! > votes[a]! ? 1 : votes[b]! < votes[a]! ? -1 : a - b));
  if (rest.length && elected.length < seats) {
    for (const c of rest) elect(c);
    log.notes.push(
      `${nameList(names, rest)}: as many continuing candidates as places left, so deemed elected (5.5.1).`,
    );
  } else if (rest.length) {
    for (const c of rest) {
      status[c] = EXCLUDED;
      log.excluded.push(c);
    }
    log.notes.push(
      `All places are filled; ${nameList(names, rest)} ${rest.length > 1 ? 'are' : 'is'} formally excluded (5.5.2).`,
    );
  }
  endStage();

  return {
    elected,
    rounds,
    notes: [],
    summary: { validVotes: fmt(total), quota: fmt(quota), precision: '2' },
  };
}

/**
 * Scottish STV: The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
 * rules 45 to 52. Weighted inclusive Gregory method: all the ballot papers of an elected
 * candidate pass on a surplus, each at (surplus x its value) / the candidate's votes,
 * truncated to five decimal places; papers of an excluded candidate pass at their value.
 *
 * Arithmetic is fixed point with 5 decimals (rule 48(3)); every value is a scaled bigint.
 *
 * One point the Order settles and some programs do not: a candidate who reaches the quota
 * exactly has no surplus (rule 48(1): votes that "exceed" the quota), so no stage is spent
 * transferring nothing. (Droop, the reference implementation the test corpus comes from,
 * does count such a zero transfer as a stage; its figures are otherwise identical.)
 */
import { groupWeights } from './ballots';
import { scaleOf, show, type Fixed } from './fixed';
import { StageLog, TransferSum, nameList, writeRound, type CountOutcome, type CountSetup } from './record';
import { breakTie, type Point } from './ties';
import type { Round } from '../types';

const HOPEFUL = 0;
const ELECTED = 1;
const EXCLUDED = 2;
const WITHDRAWN = 3;

export function countScottish(setup: CountSetup): CountOutcome {
  const { names, standing, seats, ballots: p, ties, balance } = setup;
  const s = scaleOf(5);
  const one = s.one;
  const n = names.length;
  const fmt = (v: Fixed): string => show(v, s);

  const status = new Uint8Array(n).fill(WITHDRAWN);
  for (const c of standing) status[c] = HOPEFUL;
  let hopeful = standing.length;
  const elected: number[] = [];

  // Each distinct ranking is a parcel of identical papers: its weight (number of papers),
  // the position of the candidate now holding it, and the value of each paper (an index
  // into `values`, since parcels that moved together share their values). The parcels a
  // candidate holds form a linked list through `next`.
  const { prefs, start } = p;
  const G = p.groups;
  const counts = p.counts; // whole numbers of papers, or null: then fixed-point weights
  const weight = counts ? null : groupWeights(p, s);
  const pos = new Uint16Array(G); // within the ranking
  const vid = new Int32Array(G);
  const next = new Int32Array(G);
  const head = new Int32Array(n).fill(-1);
  const values: Fixed[] = [one];
  const votes = new Array<Fixed>(n).fill(0n);

  // Rule 45: first preferences; rule 46: the quota.
  let total = 0n;
  const first = counts ? new Uint32Array(n) : null;
  for (let g = 0; g < G; g++) {
    const c = prefs[start[g]!]!;
    next[g] = head[c]!;
    head[c] = g;
    if (first) first[c] = first[c]! + counts![g]!;
    else votes[c] = votes[c]! + weight![g]!;
  }
  if (first) for (const c of standing) votes[c] = BigInt(first[c]!) * one;
  for (const c of standing) total += votes[c]!;
  const quota = (total / (one * BigInt(seats + 1)) + 1n) * one;
  let exhausted = 0n;

  const rounds: Round[] = [];
  const history: Point[] = [];
  let stage = 1;
  let log = new StageLog();
  const pending: number[] = []; // elected with a surplus not yet transferred
  log.notes.push(
    `First preferences (rule 45): ${fmt(total)} valid votes; quota ${fmt(total)} / ${seats + 1}, ignoring decimals, plus 1 = ${fmt(quota)} (rule 46).`,
  );

  const continuing = (): number[] => standing.filter((c) => status[c] === HOPEFUL);

  /**
   * Rule 47: every continuing candidate with at least the quota is elected (with balance
   * rules, in order of votes, each only if the rules can still be met after it).
   */
  const electReached = (): void => {
    let reached = standing.filter((c) => status[c] === HOPEFUL && votes[c]! >= quota);
    if (!reached.length) return;
    reached.sort((a, b) => (votes[b]! > votes[a]! ? 1 : votes[b]! < votes[a]! ? -1 : a - b));
    if (balance) {
      const allowed: number[] = [];
      for (const c of reached) {
        const why = balance.blocks(
          c,
          elected.concat(allowed),
          continuing().filter((x) => !allowed.includes(x)),
          seats - elected.length - allowed.length,
        );
        if (why === null) allowed.push(c);
        else
          log.notes.push(
            `${names[c]} reaches the quota, but electing ${names[c]} would leave a balance rule unmet (${why}): not elected (balance rule 1).`,
          );
      }
      reached = allowed;
      if (!reached.length) return;
    }
    for (const c of reached) {
      status[c] = ELECTED;
      hopeful--;
      elected.push(c);
      log.elected.push(c);
      if (votes[c]! > quota) pending.push(c);
    }
    log.notes.push(
      `${nameList(names, reached)} ${reached.length > 1 ? 'reach' : 'reaches'} the quota and ${reached.length > 1 ? 'are' : 'is'} elected (rule 47).`,
    );
  };

  /**
   * Move every parcel candidate c holds to its next continuing candidate, each paper now
   * worth values[revalue(its value)] (rules 48(2), 50(3)), and credit the candidates.
   * Whole numbers of papers are summed by destination and value, then multiplied once.
   */
  const transfer = (c: number, revalue: ((v: number) => number) | null, sum: TransferSum): void => {
    const V = values.length * 2 + 1; // a revaluation adds at most one value per value
    const papers = counts ? new Uint32Array((n + 1) * V) : null;
    const amount = counts ? null : new Array<Fixed>(n + 1).fill(0n);
    const reached = new Uint8Array(n + 1);
    let g = head[c]!;
    head[c] = -1;
    while (g !== -1) {
      const after = next[g]!;
      const v = revalue ? revalue(vid[g]!) : vid[g]!;
      vid[g] = v;
      const from = start[g]!;
      const end = start[g + 1]!;
      let q = from + pos[g]! + 1;
      while (q < end && status[prefs[q]!] !== HOPEFUL) q++;
      let d = n; // n: non-transferable
      if (q < end) {
        d = prefs[q]!;
        pos[g] = q - from;
        next[g] = head[d]!;
        head[d] = g;
      }
      reached[d] = 1;
      if (papers) papers[d * V + v] = papers[d * V + v]! + counts![g]!;
      else amount![d] = amount![d]! + (weight![g]! * values[v]!) / one;
      g = after;
    }
    for (let d = 0; d <= n; d++) {
      if (!reached[d]) continue;
      let credit = 0n;
      if (papers) {
        for (let v = 0; v < V; v++) if (papers[d * V + v]) credit += BigInt(papers[d * V + v]!) * values[v]!;
      } else credit = amount![d]!;
      if (d === n) sum.exhausted += credit;
      else {
        votes[d] = votes[d]! + credit;
        sum.add(d, credit);
      }
    }
  };

  const endStage = (): void => {
    let sumVotes = 0n;
    for (const c of standing) sumVotes += votes[c]!;
    const snapshot = votes.slice();
    history.push({ votes: snapshot, label: `stage ${stage}` });
    rounds.push(
      writeRound(
        names,
        standing,
        s,
        { number: stage, votes: snapshot, exhausted, loss: total - sumVotes - exhausted, quota },
        log,
      ),
    );
  };

  // Looking back (rules 49(2), 51(2)): the most recent earlier stage first.
  const lookBack = (): Point[] => history.slice().reverse();

  const complete = (): boolean => elected.length >= seats || hopeful <= seats - elected.length;

  /** Balance rule 1: the continuing candidates whose election would leave a rule unmet. */
  const blocked = (): Array<[number, string]> => {
    return balance ? balance.inNoCompletion(elected, continuing(), seats - elected.length) : [];
  };

  electReached();
  while (!complete()) {
    endStage();
    stage++;
    log = new StageLog();
    const sum = new TransferSum(n);
    const doomed = blocked();
    if (doomed.length) {
      // Balance rule 1: excluded together (none of them is in any completion, so the
      // order does not matter), the ballot papers passing at their current values.
      for (const [c] of doomed) {
        status[c] = EXCLUDED;
        hopeful--;
        log.excluded.push(c);
      }
      for (const [c, why] of doomed) {
        const one = new TransferSum(n);
        transfer(c, null, one);
        votes[c] = 0n;
        exhausted += one.exhausted;
        log.transfers.push(one.write(names, s, c, 'exclusion'));
        log.notes.push(
          `Electing ${names[c]} would leave a balance rule unmet (${why}), so ${names[c]} is excluded under the balance rules (balance rule 1); the ballot papers pass at their current values.`,
        );
      }
    } else if (pending.length) {
      // Rule 49: the largest surplus first.
      let high = votes[pending[0]!]!;
      for (const c of pending) if (votes[c]! > high) high = votes[c]!;
      const tied = pending.filter((c) => votes[c] === high);
      const c =
        tied.length === 1
          ? tied[0]!
          : breakTie(ties, {
              tied,
              want: 'most',
              points: lookBack(),
              round: stage,
              purpose: 'the largest surplus (rule 49)',
              show: fmt,
              lot: true,
            })!;
      pending.splice(pending.indexOf(c), 1);
      const held = votes[c]!;
      const surplus = held - quota;
      // Rule 48(3): transfer value = surplus x value of the paper / votes, to 5 places, truncated.
      const remap = new Int32Array(values.length).fill(-1);
      transfer(
        c,
        (v) => {
          if (remap[v] === -1) {
            remap[v] = values.length;
            values.push((values[v]! * surplus) / held);
          }
          return remap[v]!;
        },
        sum,
      );
      votes[c] = quota;
      exhausted += sum.exhausted;
      log.transfers.push(sum.write(names, s, c, 'surplus', (one * surplus) / held));
      log.notes.push(
        `Surplus of ${names[c]} (${fmt(surplus)}) transferred (rules 48, 49): each ballot paper passes at its value x ${fmt(surplus)} / ${fmt(held)}, truncated to 5 places (${fmt((one * surplus) / held)} for a paper of value 1).`,
      );
    } else {
      // Rules 50, 51: exclude the candidate with the fewest votes (balance rule 2: of
      // those the balance rules do not need).
      const hope = continuing();
      const protectedNow = balance
        ? balance.neededAmong(elected, hope, seats - elected.length)
        : new Map<number, string>();
      let lowest: Fixed | null = null;
      for (const c of hope) if (lowest === null || votes[c]! < lowest) lowest = votes[c]!;
      const passed = hope.filter((c) => votes[c] === lowest && protectedNow.has(c));
      let low: Fixed | null = null;
      for (const c of hope) if (!protectedNow.has(c) && (low === null || votes[c]! < low)) low = votes[c]!;
      const tied = hope.filter((c) => !protectedNow.has(c) && votes[c] === low);
      for (const c of passed)
        log.notes.push(
          `${names[c]} has the fewest votes (${fmt(lowest!)}) but is needed to meet a balance rule (${protectedNow.get(c)!}), so is not excluded (balance rule 2).`,
        );
      const c =
        tied.length === 1
          ? tied[0]!
          : breakTie(ties, {
              tied,
              want: 'fewest',
              points: lookBack(),
              round: stage,
              purpose: 'exclusion (rule 51)',
              show: fmt,
              lot: true,
            })!;
      status[c] = EXCLUDED;
      hopeful--;
      log.excluded.push(c);
      transfer(c, null, sum);
      votes[c] = 0n;
      exhausted += sum.exhausted;
      log.transfers.push(sum.write(names, s, c, 'exclusion'));
      log.notes.push(
        `${names[c]} has the fewest votes${passed.length ? ' of the others' : ''} (${fmt(low!)}) and is excluded (rule 50); the ballot papers pass at their current values.`,
      );
    }
    electReached();
  }

  // Rule 52: as many continuing candidates as vacancies left are elected; otherwise the
  // seats are full and the rest are not elected.
  const rest = standing.filter((c) => status[c] === HOPEFUL);
  rest.sort((a, b) => (votes[b]! > votes[a]! ? 1 : votes[b]! < votes[a]! ? -1 : a - b));
  if (rest.length && elected.length < seats) {
    for (const c of rest) {
      status[c] = ELECTED;
      elected.push(c);
      log.elected.push(c);
    }
    log.notes.push(
      `${nameList(names, rest)}: as many continuing candidates as vacancies remain, so elected (rule 52).`,
    );
  } else if (rest.length) {
    for (const c of rest) {
      status[c] = EXCLUDED;
      log.excluded.push(c);
    }
    log.notes.push(`All seats are filled; ${nameList(names, rest)} ${rest.length > 1 ? 'are' : 'is'} not elected.`);
  }
  endStage();

  return {
    elected,
    rounds,
    notes: [],
    summary: { quota: fmt(quota), validVotes: fmt(total), precision: '5' },
  };
}

/**
 * Meek STV: the Proportional Representation Foundation's reference rule
 * (prfound.org, "Reference Meek Rule"), after Hill, Wichmann & Woodall's Algorithm 123,
 * with the arithmetic Droop uses for it: fixed point with 9 decimals, omega = 10^-6.
 *
 *  B.2.a Each ballot starts with weight 1; each candidate in order (passing over defeated
 *        ones, whose keep factor is 0) keeps weight x keep factor, rounded UP to 9 places,
 *        and the ballot's weight is reduced by the same amount, until it is 0 or runs out.
 *  B.2.b Quota = (sum of all votes) / (seats + 1), truncated to 9 places, + 0.000000001.
 *  B.2.c Every hopeful candidate with vote >= quota is elected; the round ends there.
 *  B.2.d Surplus = sum over the elected of (vote - quota), not below 0.
 *  B.2.e If surplus < omega, or it has stopped falling (not in the first iteration),
 *        the iteration is done;
 *  B.2.f else each elected keep factor becomes kf x quota (rounded up) / vote (rounded
 *        up), and the iteration repeats.
 *  B.3   Defeat the hopeful candidate with the fewest votes; every hopeful candidate with
 *        no more than that vote plus the surplus is tied with it (broken by lot).
 *  C     When the seats are filled, or only as many hopefuls are left as seats, the count
 *        ends (electing the hopefuls left, or else declaring them defeated).
 *
 * Speed: ballots with a common beginning share their weights along it, so they are kept in
 * a tree of rankings (with defeated candidates spliced out), built lazily: an iteration only
 * walks the paths that pass through elected candidates, since a hopeful candidate (keep
 * factor 1) keeps the whole of whatever weight reaches it. The tree is rebuilt lazily after
 * each defeat. Every sum is the same as ballot by ballot, since the keep values of ballots
 * that share a path are equal and added exactly.
 */
import { groupWeights } from './ballots';
import { divUp, mulUp, scaleOf, show, type Fixed } from './fixed';
import { StageLog, nameList, writeRound, type CountOutcome, type CountSetup } from './record';
import { drawLot } from './ties';
import type { Round } from '../types';

const HOPEFUL = 0;
const ELECTED = 1;
const DEFEATED = 2;
const WITHDRAWN = 3;

interface Node {
  readonly cand: number;
  /** Total weight of the ballots along this path. */
  readonly weight: Fixed;
  /** The groups along this path are memb[off .. off+len) of the arena, and posn[] gives
   * where this node's candidate is in each one's ranking (the root, off -1: all groups; a
   * hopeful candidate's node, off -2, keeps no list: nothing passes beyond it). */
  readonly off: number;
  readonly len: number;
  children: Node[] | null;
}

export function countMeek(setup: CountSetup): CountOutcome {
  const { names, standing, seats, ballots: p, ties, balance } = setup;
  const s = scaleOf(9);
  const one = s.one;
  const n = names.length;
  const fmt = (v: Fixed): string => show(v, s);
  const omega = one / 10n ** 6n;

  const status = new Uint8Array(n).fill(WITHDRAWN);
  const keep = new Array<Fixed>(n).fill(0n);
  for (const c of standing) {
    status[c] = HOPEFUL;
    keep[c] = one;
  }
  let hopeful = standing.length;
  const elected: number[] = [];

  const { prefs, start } = p;
  const G = p.groups;
  const counts = p.counts; // whole numbers of ballots, or null: then fixed-point weights
  const weight = counts ? null : groupWeights(p, s);
  let total = 0n;
  if (counts) {
    let papers = 0;
    for (let g = 0; g < G; g++) papers += counts[g]!; // below 2^32 (checked when prepared)
    total = BigInt(papers) * one;
  } else for (const w of weight!) total += w;

  // The tree lives in one arena, reused from round to round (after a defeat the tree is
  // rebuilt), so that a big count does not churn the garbage collector. The root holds every
  // group, implicitly; `skip` remembers, for each, where its first undefeated candidate is.
  const skip = new Int32Array(G);
  for (let g = 0; g < G; g++) skip[g] = start[g]! - 1;
  let memb = new Int32Array(G + (G >> 2) + 64);
  let posn = new Int32Array(memb.length);
  let top = 0;
  const freshRoot = (): Node => {
    top = 0;
    return { cand: -1, weight: total, off: -1, len: G, children: null };
  };
  let root = freshRoot();

  const childCount = new Int32Array(n);
  const cursor = new Int32Array(n);
  const ballots = counts ? new Uint32Array(n) : null; // whole ballots per child
  const weights = new Array<Fixed>(n);
  /**
   * The next non-defeated candidate of each ballot along the node's path, grouped. Only the
   * paths through elected candidates are kept for going further: a hopeful candidate keeps
   * all the weight that reaches it, and statuses change only when a round ends.
   */
  const expand = (node: Node): Node[] => {
    const { off, len } = node;
    const isRoot = off < 0;
    childCount.fill(0);
    for (let i = 0; i < len; i++) {
      const g = isRoot ? i : memb[off + i]!;
      const end = start[g + 1]!;
      let q = (isRoot ? skip[g]! : posn[off + i]!) + 1;
      while (q < end && status[prefs[q]!] === DEFEATED) q++;
      if (isRoot)
        skip[g] = q - 1; // defeat is for good: start there next time
      else posn[off + i] = q - 1; // (no need to skip them again below)
      if (q < end) childCount[prefs[q]!]!++;
    }
    let need = 0;
    for (let c = 0; c < n; c++) {
      cursor[c] = top + need;
      if (status[c] === ELECTED) need += childCount[c]!;
    }
    if (top + need > memb.length) {
      const size = Math.max(memb.length + (memb.length >> 1), top + need);
      const m2 = new Int32Array(size);
      m2.set(memb.subarray(0, top));
      memb = m2;
      const p2 = new Int32Array(size);
      p2.set(posn.subarray(0, top));
      posn = p2;
    }
    if (ballots) ballots.fill(0);
    else weights.fill(0n);
    for (let i = 0; i < len; i++) {
      const g = isRoot ? i : memb[off + i]!;
      const q = (isRoot ? skip[g]! : posn[off + i]!) + 1;
      if (q >= start[g + 1]!) continue;
      const c = prefs[q]!;
      if (status[c] === ELECTED) {
        const k = cursor[c]!++;
        memb[k] = g;
        posn[k] = q;
      }
      if (ballots) ballots[c] = ballots[c]! + counts![g]!;
      else weights[c] = weights[c]! + weight![g]!;
    }
    const children: Node[] = [];
    for (let c = 0, from = top; c < n; c++) {
      const k = childCount[c]!;
      if (k === 0) continue;
      const kept = status[c] === ELECTED;
      children.push({
        cand: c,
        weight: ballots ? BigInt(ballots[c]!) * one : weights[c]!,
        off: kept ? from : -2,
        len: kept ? k : 0,
        children: kept ? null : [],
      });
      if (kept) from += k;
    }
    top += need;
    node.children = children;
    return children;
  };

  const votes = new Array<Fixed>(n).fill(0n);
  /** B.2.a: pass weight w (per ballot) down from a node. */
  const walk = (node: Node, w: Fixed): void => {
    for (const ch of node.children ?? expand(node)) {
      const c = ch.cand;
      const kw = mulUp(w, keep[c]!, s);
      votes[c] = votes[c]! + (kw * ch.weight) / one;
      const rest = w - kw;
      if (rest > 0n) walk(ch, rest);
    }
  };
  const distribute = (): void => {
    votes.fill(0n);
    walk(root, one);
  };

  const byVote = (a: number, b: number): number => (votes[b]! > votes[a]! ? 1 : votes[b]! < votes[a]! ? -1 : a - b);
  const rounds: Round[] = [];
  let quota = total / BigInt(seats + 1) + 1n;
  let round = 0;
  let log = new StageLog();

  const record = (): void => {
    let sum = 0n;
    for (const c of standing) sum += votes[c]!;
    rounds.push(
      writeRound(
        names,
        standing,
        s,
        { number: round, votes: votes.slice(), exhausted: total - sum, loss: 0n, quota },
        log,
      ),
    );
  };

  const hopefuls = (): number[] => standing.filter((c) => status[c] === HOPEFUL);

  while (hopeful > seats - elected.length && seats - elected.length > 0) {
    round++;
    log = new StageLog();
    root = freshRoot(); // rebuilt each round: the arena then never holds more than one tree
    if (balance) {
      // Balance rule 1: the hopefuls in no completion are defeated together, in a round of
      // their own (the order does not matter: none of them can be elected).
      const doomed = balance.inNoCompletion(elected, hopefuls(), seats - elected.length);
      if (doomed.length) {
        distribute(); // the round shows the votes as they stood
        for (const [c, why] of doomed) {
          status[c] = DEFEATED;
          hopeful--;
          keep[c] = 0n;
          log.excluded.push(c);
          log.notes.push(
            `Electing ${names[c]} would leave a balance rule unmet (${why}), so ${names[c]} is defeated under the balance rules (balance rule 1).`,
          );
        }
        if (!(hopeful > seats - elected.length && seats - elected.length > 0)) break;
        record();
        continue;
      }
    }
    let iterations = 0;
    let lastSurplus = total;
    let surplus = 0n;
    let ending: 'elected' | 'omega' | 'stable';
    for (;;) {
      iterations++;
      distribute();
      let sum = 0n;
      for (const c of standing) if (status[c] !== DEFEATED) sum += votes[c]!;
      quota = sum / BigInt(seats + 1) + 1n; // B.2.b
      let reached = standing.filter((c) => status[c] === HOPEFUL && votes[c]! >= quota).sort(byVote);
      if (balance && reached.length) {
        // In order of votes, each elected only if the rules can still be met after it; one
        // who cannot is defeated by balance rule 1 next round.
        const hope = hopefuls();
        const allowed: number[] = [];
        for (const c of reached) {
          const why = balance.blocks(
            c,
            elected.concat(allowed),
            hope.filter((x) => !allowed.includes(x)),
            seats - elected.length - allowed.length,
          );
          if (why === null) allowed.push(c);
          else
            log.notes.push(
              `${names[c]} reaches the quota, but electing ${names[c]} would leave a balance rule unmet (${why}): not elected (balance rule 1).`,
            );
        }
        reached = allowed;
      }
      for (const c of reached) {
        status[c] = ELECTED;
        hopeful--;
        elected.push(c);
        log.elected.push(c);
      }
      surplus = 0n;
      for (const c of elected) surplus += votes[c]! - quota;
      if (surplus < 0n) surplus = 0n;
      if (reached.length) {
        ending = 'elected';
        log.notes.push(
          `${nameList(names, reached)} ${reached.length > 1 ? 'reach' : 'reaches'} the quota and ${reached.length > 1 ? 'are' : 'is'} elected (B.2.c).`,
        );
        break;
      }
      if (surplus < omega) {
        ending = 'omega';
        break;
      }
      if (surplus >= lastSurplus) {
        ending = 'stable';
        break;
      }
      lastSurplus = surplus;
      for (const c of elected) keep[c] = divUp(mulUp(keep[c]!, quota, s), votes[c]!, s); // B.2.f
    }
    log.notes.unshift(
      `${iterations} iteration${iterations > 1 ? 's' : ''}; quota ${fmt(quota)}; surplus ${fmt(surplus)}.`,
    );
    if (ending !== 'elected') {
      // B.3: defeat the lowest hopeful; those within the surplus of it are tied with it.
      // Balance rule 2: of the hopefuls the rules do not need (some always: a completion
      // fills only the seats left, and there are more hopefuls than that).
      const hope = hopefuls();
      const needed = balance ? balance.neededAmong(elected, hope, seats - elected.length) : new Map<number, string>();
      let lowest: Fixed | null = null;
      for (const c of hope) if (lowest === null || votes[c]! < lowest) lowest = votes[c]!;
      let low: Fixed | null = null;
      for (const c of hope) if (!needed.has(c) && (low === null || votes[c]! < low)) low = votes[c]!;
      for (const c of hope)
        if (needed.has(c) && votes[c]! <= lowest! + surplus)
          log.notes.push(
            `${names[c]} has the fewest votes (${fmt(votes[c]!)}) but is needed to meet a balance rule (${needed.get(c)!}), so is not defeated (balance rule 2).`,
          );
      const tied = hope.filter((c) => !needed.has(c) && votes[c]! <= low! + surplus);
      const c =
        tied.length === 1
          ? tied[0]!
          : drawLot(
              ties,
              tied,
              tied.map((t) => names[t]!),
              round,
              'defeat (B.3: votes within the surplus of the lowest)',
            );
      status[c] = DEFEATED;
      hopeful--;
      keep[c] = 0n;
      log.excluded.push(c);
      log.notes.push(
        ending === 'omega'
          ? `Surplus below omega (${fmt(omega)}): ${names[c]} has the fewest votes (${fmt(votes[c]!)}) and is defeated (B.3).`
          : `Surplus no longer falling: ${names[c]} has the fewest votes (${fmt(votes[c]!)}) and is defeated (B.3).`,
      );
    }
    const kept = elected.filter((c) => keep[c]! < one);
    if (kept.length) log.notes.push(`Keep factors: ${kept.map((c) => `${names[c]} ${fmt(keep[c]!)}`).join(', ')}.`);
    if (!(hopeful > seats - elected.length && seats - elected.length > 0)) break;
    record();
  }

  if (round === 0) {
    // Nothing to decide: as many candidates as seats, or fewer. First preferences stand.
    round = 1;
    distribute();
    log.notes.push(`First preferences; quota ${fmt(quota)}.`);
  }
  // C: count complete.
  const rest = standing.filter((c) => status[c] === HOPEFUL).sort(byVote);
  if (rest.length && elected.length < seats) {
    for (const c of rest) {
      status[c] = ELECTED;
      elected.push(c);
      log.elected.push(c);
    }
    log.notes.push(`${nameList(names, rest)}: no more hopeful candidates than seats left, so elected (C.1).`);
  } else if (rest.length) {
    for (const c of rest) {
      status[c] = DEFEATED;
      log.excluded.push(c);
    }
    log.notes.push(`All seats are filled; ${nameList(names, rest)} ${rest.length > 1 ? 'are' : 'is'} defeated (C.2).`);
  }
  record();

  return {
    elected,
    rounds,
    notes: [
      "Meek's method moves no parcels of ballots: each round recounts every ballot with the elected candidates' keep factors, so rounds list no transfers.",
    ],
    summary: { validVotes: fmt(total), finalQuota: fmt(quota), omega: fmt(omega), precision: '9' },
  };
}

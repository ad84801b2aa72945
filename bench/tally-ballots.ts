/**
 * Synthetic ranked ballots for the tally benchmark, reproducible from a seed: 20
 * candidates in 4 parties of 5; a voter picks a party by its share, ranks 1–5 candidates
 * (now and then up to 10), mostly within the party, the more popular candidates more often.
 */
import { lot } from '@omov/core/tally/lot';

const PARTIES = ['Red', 'Green', 'Blue', 'Gold'] as const;
const PARTY_SHARE = [0.34, 0.29, 0.22, 0.15];
const POPULARITY = [5, 3, 2, 1.5, 1];
/** Cumulative chance of a ranking of length 1, 2, ...: mostly short. */
const LENGTH_CDF = [0.28, 0.52, 0.72, 0.85, 0.94, 0.96, 0.97, 0.98, 0.99, 1];
const LOYALTY = 0.85;

export const CANDIDATES: string[] = PARTIES.flatMap((p) => POPULARITY.map((_, k) => `${p} ${k + 1}`));

export function generateBlt(ballots: number, seed: string, seats = 5): { text: string; distinct: number } {
  const g = lot(seed, 'bench ballots');
  const c = CANDIDATES.length;
  // Popularity of each candidate, shuffled within each party so parties differ.
  const weight = new Float64Array(c);
  PARTIES.forEach((_, p) => {
    const order = [...POPULARITY];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(g.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((w, k) => {
      weight[p * 5 + k] = w;
    });
  });
  const pick = (from: number[]): number => {
    let total = 0;
    for (const x of from) total += weight[x]!;
    let r = g.next() * total;
    for (const x of from) {
      r -= weight[x]!;
      if (r < 0) return x;
    }
    return from[from.length - 1]!;
  };
  const pickParty = (): number => {
    let r = g.next();
    for (let p = 0; p < PARTY_SHARE.length; p++) {
      r -= PARTY_SHARE[p]!;
      if (r < 0) return p;
    }
    return PARTY_SHARE.length - 1;
  };
  const lines: string[] = [`${c} ${seats}`];
  const seen = new Set<string>();
  for (let b = 0; b < ballots; b++) {
    const party = pickParty();
    const u = g.next();
    const length = LENGTH_CDF.findIndex((p) => u < p) + 1;
    const used = new Uint8Array(c);
    const ranking: number[] = [];
    while (ranking.length < length) {
      const own: number[] = [];
      const other: number[] = [];
      for (let x = 0; x < c; x++) if (!used[x]) (Math.floor(x / 5) === party ? own : other).push(x);
      const pool = own.length > 0 && (g.next() < LOYALTY || other.length === 0) ? own : other;
      if (pool.length === 0) break;
      const x = pick(pool);
      used[x] = 1;
      ranking.push(x);
    }
    const line = `1 ${ranking.map((x) => x + 1).join(' ')} 0`;
    seen.add(line);
    lines.push(line);
  }
  lines.push('0', ...CANDIDATES.map((n) => `"${n}"`), '"omov tally benchmark"', '');
  return { text: lines.join('\n'), distinct: seen.size };
}

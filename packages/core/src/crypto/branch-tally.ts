import * as z from 'zod';
import { type Ballot, isNonHomomorphicAnswer } from './ballot';
import type { Election } from './election';
import { isElement, mul, pow } from './group';
import { type RandomBytes } from './random';
import {
  checkPartialDecryption,
  compareCiphertexts,
  computeResult,
  type EncryptedTally,
  type PartialDecryption,
  parsePartialDecryption,
  partialDecrypt,
  type Result,
  writeEncryptedTally,
  writePartialDecryption,
} from './tally';
import type { Trustee } from './trustee';
import { ciphertextJson, type Ciphertext, parseJson, splitPools, writeArray } from './wire';
import { poolBranches, type VotingUnit } from '../domain/pooling';

/**
 * Branch figures of a verifiable ballot without decrypting any single vote (docs/verifiable.md,
 * "Branch figures"). Each public credential's voting unit (branch) is public. At the close the
 * counted ballots are grouped by branch, and branches are pooled under k by the public number
 * of counted ballots in each, by the office mode's rule (domain/pooling.ts); each pool gets its
 * own encrypted sub-tally, the product of its ballots' ciphertexts (homomorphic questions only;
 * for a ranked question, its ballots' places in the tally's row, which the shuffles keep
 * together: pool-shuffle.ts). The pools'
 * product is the Belenios tally, which anyone can check; the trustees decrypt each sub-tally
 * with the same proof as the tally's. Pure: no I/O.
 */

export type BranchPool = VotingUnit & {
  /** How many counted ballots (each credential's last) the pool holds, and their total weight. */
  readonly ballots: number;
  readonly weight: bigint;
  /** Per question (as the Belenios tally), the product of the pool's ciphertexts; a non-homomorphic question's row is empty. */
  readonly tally: EncryptedTally;
  /**
   * Per non-homomorphic question (in order), where the pool's ballots are in that question's
   * row of the tally (sorted as Belenios sorts it): what the first shuffle sends to the pool's
   * range (pool-shuffle.ts). Absent where the election has no such question, and in a section
   * stored before pools were shuffled apart.
   */
  readonly positions?: ReadonlyArray<ReadonlyArray<number>>;
};

export type BranchTallies = {
  readonly k: number;
  /** Every public credential (decimal) under its branch, as uploaded by the credential authority. */
  readonly credentials: Readonly<Record<string, ReadonlyArray<string>>>;
  readonly pools: ReadonlyArray<BranchPool>;
};

type Counted = { readonly ballot: Ballot; readonly weight: bigint };

const identity: Ciphertext = { alpha: 1n, beta: 1n };

/** The product, answer by answer, of the ballots' homomorphic ciphertexts raised to their weights (as the tally's). */
export function homomorphicTally(election: Election, ballots: ReadonlyArray<Counted>): EncryptedTally {
  const G = election.group;
  return election.questions.map((q, i) => {
    if (q.nonHomomorphic) return [];
    const n = q.answers.length + (q.blank ? 1 : 0);
    return Array.from({ length: n }, (_, j) =>
      ballots.reduce<Ciphertext>((acc, { ballot, weight }) => {
        const a = ballot.answers[i]!;
        if (isNonHomomorphicAnswer(a)) throw new RangeError(`question ${i + 1}: a ballot's answer is not homomorphic`);
        const c = a.choices[j]!;
        const wc = weight === 1n ? c : { alpha: pow(G, c.alpha, weight), beta: pow(G, c.beta, weight) };
        return { alpha: mul(G, acc.alpha, wc.alpha), beta: mul(G, acc.beta, wc.beta) };
      }, identity),
    );
  });
}

/** Each public credential's branch, from the section's lists. */
export function branchOfCredential(t: Pick<BranchTallies, 'credentials'>): Map<bigint, string> {
  const m = new Map<bigint, string>();
  for (const [branch, cs] of Object.entries(t.credentials))
    for (const c of cs) {
      if (m.has(BigInt(c))) throw new RangeError(`the credential ${c} is listed under two branches`);
      m.set(BigInt(c), branch);
    }
  return m;
}

/**
 * The pools and their sub-tallies from the counted ballots: units as poolBranches makes them
 * from the number of counted ballots per branch (every branch with a credential, as the office
 * mode's units cover every branch of its electorate).
 */
export function branchTallies(
  election: Election,
  counted: ReadonlyArray<Counted>,
  credentials: ReadonlyArray<{ readonly credential: bigint | string; readonly branch: string }>,
  k: number,
): BranchTallies {
  const lists: Record<string, string[]> = {};
  for (const c of [...credentials].sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0)))
    (lists[c.branch] ??= []).push(String(c.credential));
  const section = { k, credentials: lists };
  const branchOf = branchOfCredential(section);
  const byBranch = new Map<string, Counted[]>(Object.keys(lists).map((b) => [b, []]));
  for (const c of counted) {
    const branch = branchOf.get(c.ballot.credential);
    if (branch === undefined) throw new RangeError(`a counted ballot's credential has no branch`);
    byBranch.get(branch)!.push(c);
  }
  const units = poolBranches(
    [...byBranch].map(([branch, list]) => ({ branch, voters: list.length })),
    k,
  );
  // Each non-homomorphic row's ballots in the tally's order (a stable sort, as encryptedTally's), by branch.
  const rows = election.questions.flatMap((q, i) =>
    q.nonHomomorphic
      ? [
          counted
            .map((c) => {
              const a = c.ballot.answers[i]!;
              if (!isNonHomomorphicAnswer(a))
                throw new RangeError(`question ${i + 1}: a ballot's answer is homomorphic`);
              return { choice: a.choice, branch: branchOf.get(c.ballot.credential)! };
            })
            .sort((a, b) => compareCiphertexts(a.choice, b.choice))
            .map((x) => x.branch),
        ]
      : [],
  );
  return {
    ...section,
    pools: units.map((u) => {
      const ballots = u.branches.flatMap((b) => byBranch.get(b)!);
      const mine = new Set(u.branches);
      return {
        ...u,
        ballots: ballots.length,
        weight: ballots.reduce((n, c) => n + c.weight, 0n),
        tally: homomorphicTally(election, ballots),
        ...(rows.length
          ? { positions: rows.map((row) => row.flatMap((branch, at) => (mine.has(branch) ? [at] : []))) }
          : {}),
      };
    }),
  };
}

/**
 * Why the section is not what the counted ballots make, or undefined: the same pools from
 * the same counts, each sub-tally the product of its pool's ballots, and the pools' product
 * the Belenios tally on every homomorphic question.
 */
export function branchTalliesProblem(
  election: Election,
  counted: ReadonlyArray<Counted>,
  tally: EncryptedTally,
  t: BranchTallies,
): string | undefined {
  let again: BranchTallies;
  try {
    const branchOf = branchOfCredential(t);
    again = branchTallies(
      election,
      counted,
      [...branchOf].map(([credential, branch]) => ({ credential, branch })),
      t.k,
    );
  } catch (err) {
    return (err as Error).message;
  }
  const names = (x: BranchTallies) => x.pools.map((p) => `${p.name} (${p.ballots})`).join('; ');
  if (names(again) !== names(t))
    return `the pools are ${names(t)}, but the counted ballots per branch pool under k = ${t.k} as ${names(again)}`;
  for (const [i, p] of t.pools.entries()) {
    const q = again.pools[i]!;
    if (p.weight !== q.weight) return `pool "${p.name}" states weight ${p.weight}, but its ballots weigh ${q.weight}`;
    if (writeEncryptedTally(p.tally) !== writeEncryptedTally(q.tally))
      return `the sub-tally of pool "${p.name}" is not the product of its ${q.ballots} counted ballots`;
    if (JSON.stringify(p.positions) !== JSON.stringify(q.positions))
      return `the positions of pool "${p.name}" in the ranked questions' rows are not where its counted ballots are`;
  }
  const G = election.group;
  const product = election.questions.map((q, i) =>
    q.nonHomomorphic
      ? []
      : tally[i]!.map((_, j) =>
          t.pools.reduce<Ciphertext>((acc, p) => {
            const c = p.tally[i]![j]!;
            return { alpha: mul(G, acc.alpha, c.alpha), beta: mul(G, acc.beta, c.beta) };
          }, identity),
        ),
  );
  const whole = election.questions.map((q, i) => (q.nonHomomorphic ? [] : tally[i]!));
  if (writeEncryptedTally(product) !== writeEncryptedTally(whole))
    return "the pools' sub-tallies do not multiply to the encrypted tally";
  return undefined;
}

// --- the trustees' side -------------------------------------------------------------------

/** A trustee's partial decryption of every pool's sub-tally, in the pools' order. */
export const decryptPools = (
  election: Election,
  t: Pick<BranchTallies, 'pools'>,
  privateKey: bigint,
  random: RandomBytes,
): PartialDecryption[] => t.pools.map((p) => partialDecrypt(election, p.tally, privateKey, random));

/** The first pool whose partial decryption does not verify against `trusteeKey` (its name), or undefined. */
export function poolDecryptionProblem(
  election: Election,
  t: Pick<BranchTallies, 'pools'>,
  trusteeKey: bigint,
  pds: ReadonlyArray<PartialDecryption>,
): string | undefined {
  if (pds.length !== t.pools.length)
    return `it covers ${pds.length} pool${pds.length === 1 ? '' : 's'}, not the ${t.pools.length} of the ballot`;
  const wrong = t.pools.findIndex((p, i) => !checkPartialDecryption(election, p.tally, trusteeKey, pds[i]!));
  return wrong < 0 ? undefined : `its decryption of pool "${t.pools[wrong]!.name}" does not verify`;
}

/** Each pool's totals (per question, blank first; empty for a non-homomorphic question), from `threshold` trustees' decryptions. */
export function poolResults(
  election: Election,
  t: Pick<BranchTallies, 'pools'>,
  trustees: ReadonlyArray<Trustee>,
  owned: ReadonlyArray<{ readonly owner: number; readonly pools: ReadonlyArray<PartialDecryption> }>,
): Result[] {
  return t.pools.map((p, i) =>
    computeResult(
      election,
      p.tally,
      p.weight,
      trustees,
      owned.map((o) => ({ owner: o.owner, partialDecryption: o.pools[i]! })),
    ),
  );
}

// --- text ---------------------------------------------------------------------------------

/** The section as stored and published: its bytes are hashed in the log's close entry. */
export const writeBranchTallies = (t: BranchTallies): string =>
  `{"k":${t.k},"credentials":${JSON.stringify(t.credentials)},"pools":${writeArray(
    t.pools,
    (p) =>
      `{"name":${JSON.stringify(p.name)},"branches":${JSON.stringify(p.branches)},"pooled":${p.pooled}` +
      `,"ballots":${p.ballots},"weight":"${p.weight}","tally":${writeEncryptedTally(p.tally)}` +
      `${p.positions ? `,"positions":${JSON.stringify(p.positions)}` : ''}}`,
  )}}`;

const sectionJson = z.strictObject({
  k: z.number().int().min(1),
  credentials: z.record(z.string(), z.array(z.string().regex(/^\d+$/, 'a decimal credential'))),
  pools: z.array(
    z.strictObject({
      name: z.string(),
      branches: z.array(z.string()).min(1),
      pooled: z.boolean(),
      ballots: z.number().int().min(0),
      weight: z.string().regex(/^\d+$/, 'a decimal weight'),
      tally: z.array(z.array(ciphertextJson)),
      positions: z.array(z.array(z.number().int().min(0))).optional(),
    }),
  ),
});

export function parseBranchTallies(election: Election, text: string): BranchTallies {
  const s = parseJson(sectionJson, text, 'branch tallies');
  const t: BranchTallies = { ...s, pools: s.pools.map((p) => ({ ...p, weight: BigInt(p.weight) })) };
  const G = election.group;
  for (const p of t.pools) {
    if (p.tally.length !== election.questions.length)
      throw new RangeError(`pool "${p.name}": a sub-tally of ${p.tally.length} questions`);
    if (!p.tally.every((cs) => cs.every((c) => isElement(G, c.alpha) && isElement(G, c.beta))))
      throw new RangeError(`pool "${p.name}": the sub-tally holds a value outside the group`);
  }
  return t;
}

/** A trustee's decryptions of the pools, as `omov trustee decrypt` adds them to theirs ("pools"). */
export const writePoolDecryptions = (pds: ReadonlyArray<PartialDecryption>): string =>
  writeArray(pds, writePartialDecryption);

export function parsePoolDecryptions(text: string): PartialDecryption[] {
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) throw new TypeError('pool decryptions: not a JSON list');
  return list.map((x, i) => {
    try {
      return parsePartialDecryption(JSON.stringify(x));
    } catch (err) {
      throw new TypeError(`pool decryption ${i + 1}: ${(err as Error).message}`, { cause: err });
    }
  });
}

/** What a trustee hands over after the close: their Belenios partial decryption of the tally, with "pools" added where there are pools. */
export const writeTrusteeDecryption = (pd: PartialDecryption, pools?: ReadonlyArray<PartialDecryption>): string => {
  const text = writePartialDecryption(pd);
  return pools ? `${text.slice(0, -1)},"pools":${writePoolDecryptions(pools)}}` : text;
};

/** A trustee's hand-over read back: the Belenios partial decryption, and their decryptions of the pools where given. */
export function parseTrusteeDecryption(text: string): {
  partialDecryption: PartialDecryption;
  pools: PartialDecryption[] | undefined;
} {
  const { belenios, pools } = splitPools(text, 'partial decryption');
  return {
    partialDecryption: parsePartialDecryption(belenios),
    pools: pools === undefined ? undefined : parsePoolDecryptions(JSON.stringify(pools)),
  };
}

import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as credentials from '../data/credentials';
import * as roll from '../data/roll';
import * as store from '../data/verifiable-branches';
import type { Queryable } from '../db/database';
import type { Ballot } from '@omov/core/crypto/ballot';
import {
  type BranchTallies,
  branchTallies,
  parseBranchTallies,
  poolDecryptionProblem,
  parsePoolDecryptions,
  poolResults,
  writeBranchTallies,
  writePoolDecryptions,
} from '@omov/core/crypto/branch-tally';
import type { Election } from '@omov/core/crypto/election';
import {
  firstProblem,
  type PoolProofs,
  poolInputs,
  poolShuffleSteps,
  writePoolProofs,
} from '@omov/core/crypto/pool-shuffle';
import type { ShuffleCheck } from '@omov/core/crypto/shuffle';
import type { Ciphertext } from '@omov/core/crypto/wire';
import { sha256Hex } from '@omov/core/crypto/hash';
import type { PartialDecryption } from '@omov/core/crypto/tally';
import type { Trustee } from '@omov/core/crypto/trustee';
import type { DelegateSettingsInput } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import type { BranchFigures } from '@omov/core/record/verifiable';
import { invalid } from './errors';

/**
 * A verifiable ballot's branch figures (docs/verifiable.md, "Branch figures"). At the close,
 * the counted ballots' pools of branches (under k, by the office mode's rule) and their
 * encrypted sub-tallies; each trustee decrypts them with the tally; the pools' decrypted
 * totals give the branch figures and the delegate comparison, counted by the office mode's
 * code. Kept beside the Belenios events (data/verifiable-branches.ts), never among them.
 */

/**
 * Inside the closing transaction: the pools and their sub-tallies, and the voting units (as
 * an office ballot's close fixes them: each unit's members on the roll and its electorate,
 * here its public credentials). Returns the section's SHA-256, for the close's log entry.
 */
export async function closeBranches(
  tx: Queryable,
  b: BallotRow,
  election: Election,
  counted: ReadonlyArray<{ ballot: Ballot; weight: bigint }>,
): Promise<string> {
  const list = await credentials.listPublicCredentials(tx, b.id);
  const section = branchTallies(election, counted, list, b.k);
  const text = writeBranchTallies(section);
  await store.insertBranchTallies(tx, b.id, text);
  const members = new Map((await roll.listBranches(tx, b.organisationId)).map((x) => [x.name, Number(x.members)]));
  const electorate = new Map(Object.entries(section.credentials).map(([br, cs]) => [br, cs.length]));
  const part = (br: string) => ({ branch: br, members: members.get(br) ?? 0, electorate: electorate.get(br) ?? 0 });
  const units: UnitFacts[] = section.pools.map(({ name, branches, pooled }) => ({
    name,
    branches,
    pooled,
    members: branches.reduce((n, br) => n + (members.get(br) ?? 0), 0),
    electorate: branches.reduce((n, br) => n + (electorate.get(br) ?? 0), 0),
    // A pool keeps its branches' sizes, as an office ballot's does, for the delegate comparison.
    ...(pooled ? { parts: branches.map(part) } : {}),
  }));
  await ballots.setUnits(tx, b.id, units);
  return sha256Hex(text);
}

async function sectionOf(db: Queryable, ballotId: string, election: Election): Promise<BranchTallies | undefined> {
  const text = await store.findBranchTallies(db, ballotId);
  return text === undefined ? undefined : parseBranchTallies(election, text);
}

/** For the trustee's task: the section's text once the ballot has closed (null for one closed before branch figures). */
export async function branchTalliesText(db: Queryable, ballotId: string): Promise<string | null> {
  return (await store.findBranchTallies(db, ballotId)) ?? null;
}

/**
 * A trustee's decryptions of the pools, checked against their key before anything is
 * stored: a missing or wrong one is refused, naming the trustee. Stored in the caller's
 * transaction, beside their decryption of the tally.
 */
export async function submitPoolDecryptions(
  tx: Queryable,
  b: BallotRow,
  election: Election,
  position: number,
  trusteeKey: bigint,
  pools: ReadonlyArray<PartialDecryption> | undefined,
): Promise<void> {
  const section = await sectionOf(tx, b.id, election);
  if (!section) return;
  if (!pools)
    throw invalid(
      `the partial decryption of trustee ${position} does not cover the pools' sub-tallies ("pools"): ` +
        'decrypt with the pools given (omov trustee decrypt --pools)',
    );
  const problem = poolDecryptionProblem(election, section, trusteeKey, pools);
  if (problem) throw invalid(`the partial decryption of trustee ${position} does not verify: ${problem}`);
  await store.insertPoolDecryptions(tx, b.id, position, writePoolDecryptions(pools));
}

/** A shuffle's pool proofs to check (`checks`), and what their results say (`verdict`). */
export type PoolShuffleCheck = {
  readonly checks: ShuffleCheck[];
  /**
   * Given whether each of `checks` holds: what storePoolShuffle keeps, or the refusal of
   * the first that fails (or of proofs missing), naming the trustee and the pool.
   */
  readonly verdict: (holds: ReadonlyArray<boolean>) => string;
};

/**
 * A trustee's pool proofs of their shuffle (the shuffle numbered `index` from 0, whose
 * ciphertexts are `after`; `before`, the lists it started from): each pool's range after must
 * be a shuffle of its ballots before (crypto/pool-shuffle.ts). The proofs are handed back to
 * check (in the checker threads, beside the whole-list proofs, outside the row lock, as the
 * shuffle is); missing or wrong ones are refused by the verdict, naming the trustee and the
 * pool. Nothing is asked of a section without positions (no pools, or closed before pools
 * were kept apart): undefined.
 */
export async function checkPoolShuffle(
  db: Queryable,
  b: BallotRow,
  election: Election,
  position: number,
  index: number,
  before: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  after: ReadonlyArray<ReadonlyArray<Ciphertext>>,
  pools: PoolProofs | undefined,
): Promise<PoolShuffleCheck | undefined> {
  const section = await sectionOf(db, b.id, election);
  if (!section || !poolInputs(section, index)) return undefined;
  if (!pools)
    return {
      checks: [],
      verdict: () => {
        throw invalid(
          `the shuffle of trustee ${position} has no proofs for the pools of branches ("pools"): ` +
            'shuffle with omov trustee shuffle, which keeps the pools apart (--pools offline)',
        );
      },
    };
  const steps = poolShuffleSteps(section, index, before, after, pools);
  // Each step with a proof, its place among the checks.
  const placeOf = new Map<number, number>();
  const checks = steps.flatMap((s, i) => (s.check ? (placeOf.set(i, placeOf.size), [s.check]) : []));
  return {
    checks,
    verdict: (holds) => {
      const problem = firstProblem(steps, (_, i) => holds[placeOf.get(i)!]!);
      if (problem) throw invalid(`the shuffle of trustee ${position} does not keep the pools apart: ${problem}`);
      return writePoolProofs(pools);
    },
  };
}

/** Under the ballot's row lock, with the trustee's Shuffle event: the pool proofs checkPoolShuffle passed. */
export const storePoolShuffle = (tx: Queryable, ballotId: string, position: number, proofs: string): Promise<void> =>
  store.insertPoolShuffle(tx, ballotId, position, proofs);

/**
 * Once `owners` (the trustees whose decryptions gave the result) have decrypted the pools:
 * each pool's totals, with the units fixed at close and the ballot's delegate models;
 * undefined for a ballot closed before branch figures were kept.
 */
export async function branchFigures(
  tx: Queryable,
  b: BallotRow,
  election: Election,
  trustees: ReadonlyArray<Trustee>,
  owners: ReadonlyArray<number>,
): Promise<BranchFigures | undefined> {
  const section = await sectionOf(tx, b.id, election);
  if (!section) return undefined;
  const byOwner = new Map((await store.listPoolDecryptions(tx, b.id)).map((d) => [d.trustee, d.pools]));
  const owned = owners.map((owner) => ({ owner, pools: parsePoolDecryptions(byOwner.get(owner)!) }));
  return {
    units: (b.units ?? []) as UnitFacts[],
    totals: poolResults(election, section, trustees, owned),
    voters: section.pools.map((p) => p.ballots),
    delegates: (b.delegateSettings ?? null) as DelegateSettingsInput | null,
    rankedPools: poolInputs(section, 0) !== undefined,
  };
}

/** The section and every trustee's decryptions of it, for the election record. */
export async function branchRecord(
  db: Queryable,
  ballotId: string,
): Promise<
  | {
      section: string;
      decryptions: Array<{ owner: number; pools: string }>;
      shuffles?: Array<{ owner: number; pools: string }>;
    }
  | undefined
> {
  const section = await store.findBranchTallies(db, ballotId);
  if (section === undefined) return undefined;
  const decryptions = (await store.listPoolDecryptions(db, ballotId)).map((d) => ({
    owner: d.trustee,
    pools: d.pools,
  }));
  const shuffles = (await store.listPoolShuffles(db, ballotId)).map((d) => ({ owner: d.trustee, pools: d.pools }));
  return { section, decryptions, ...(shuffles.length ? { shuffles } : {}) };
}

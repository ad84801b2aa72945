import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { type Answer, answerSchema, type StoredVote } from '@omov/core/domain/ballot';
import { poolBranches, type VotingUnit } from '@omov/core/domain/pooling';
import { boxRoot, inclusionOrder } from '@omov/core/record/commitments';
import { byCodeUnits, type ReceiptPolicy } from '@omov/core/record/record';
import { openWith } from '../platform/secrets';

/**
 * The pure part of opening the ballot box at close: no database, so that it runs in the
 * close's worker thread (close-worker.ts), off the server's event loop. Given the sealed
 * papers and the ballot's box key, it decrypts them, reconciles them with the used tokens
 * per branch, pools small branches into units and puts the votes in the record's published
 * order, with the box root. ballot-box.ts reads and writes the database around it.
 */

export type BallotPaper = { branchId: string; weight: string; receipt: string; answers: Record<string, Answer> };

const paperSchema = z.object({
  branchId: z.string(),
  weight: z.string(),
  receipt: z.string(),
  answers: z.record(z.string(), answerSchema),
});

/** A paper from its sealed form, under the ballot's box key. */
export function openPaperWith(key: KeyObject, sealed: string): BallotPaper {
  return paperSchema.parse(JSON.parse(openWith(key, sealed)));
}

/** A branch's used tokens, as the electorate counts them at close. */
export type BranchUsed = { branchId: string; branch: string; voted: number };

export type OpenedPapers = {
  units: VotingUnit[];
  root: string;
  byBranch: Record<string, { usedTokens: number; votes: number }>;
  /** The votes in the record's published order. */
  votes: StoredVote[];
  /** Every receipt code, in code order. */
  codes: string[];
};

/** Why the papers do not reconcile with the used tokens (the close is then refused). */
export class Unreconciled extends Error {}

/**
 * Checks that each branch has exactly as many papers as used tokens and no receipt comes
 * twice, pools small branches into units, and orders the votes as the record publishes
 * them: by receipt under `choices`, by their own leaves under `inclusion` (where the votes
 * carry no receipt, and the receipts form a list of their own). Throws Unreconciled.
 */
export function reconcilePapers(
  papers: readonly BallotPaper[],
  used: readonly BranchUsed[],
  k: number,
  policy: ReceiptPolicy,
): OpenedPapers {
  const byBranch: OpenedPapers['byBranch'] = {};
  const nameOf = new Map(used.map((t) => [t.branchId, t.branch]));
  for (const t of used) byBranch[t.branch] = { usedTokens: t.voted, votes: 0 };
  for (const p of papers) {
    const name = nameOf.get(p.branchId);
    if (name === undefined) throw new Unreconciled(`a vote names a branch outside the electorate`);
    byBranch[name]!.votes++;
  }
  const receipts = new Set(papers.map((p) => p.receipt));
  if (receipts.size !== papers.length) throw new Unreconciled('two votes carry the same receipt');
  for (const [branch, c] of Object.entries(byBranch)) {
    if (c.usedTokens !== c.votes)
      throw new Unreconciled(`branch ${branch}: ${c.usedTokens} used tokens, ${c.votes} votes`);
  }
  const units = poolBranches(
    used.map((t) => ({ branch: t.branch, voters: t.voted })),
    k,
  );
  const unitOf = new Map(units.flatMap((u) => u.branches.map((b) => [b, u.name] as const)));
  const choices = policy === 'choices';
  const votes: StoredVote[] = papers.map((p) => ({
    unit: unitOf.get(nameOf.get(p.branchId)!)!,
    weight: p.weight,
    ...(choices ? { receipt: p.receipt } : {}),
    answers: p.answers,
  }));
  const codes = papers.map((p) => p.receipt).sort(byCodeUnits);
  const published = choices
    ? votes.sort((a, b) => byCodeUnits(a.receipt ?? '', b.receipt ?? ''))
    : inclusionOrder(votes);
  return { units, root: boxRoot(policy, published, codes), byBranch, votes: published, codes };
}

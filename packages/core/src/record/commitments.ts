import crypto from 'node:crypto';
import type { Question, StoredVote } from '../domain/ballot';
import { canonicalJson } from './canonical';
import { MerkleBuilder, merkleRoot } from './merkle';

/**
 * What a ballot commits to, and how each commitment is computed: by the server when the
 * ballot opens and closes, and again by the verifier from the election record. Each one is
 * the SHA-256 of canonical JSON, or an RFC 6962 Merkle root, so an auditor can recompute it
 * without our code. Documented in docs/election-record.md.
 */

/** The audit log's action for the commitment made when a ballot opens (the entry right after "ballot.open"). */
export const OPEN_COMMITMENT = 'ballot.commit-open';

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** Everything the count depends on, apart from the electorate and the votes: fixed when the ballot opens. */
export type BallotDefinition = {
  /** Also the base of every seed for drawing lots. */
  id: string;
  title: string;
  description: string;
  k: number;
  receiptPolicy: 'inclusion' | 'choices';
  voterListVisible: boolean;
  /** With their options, labels, methods, settings (thresholds, quotas, seats), declared delegate comparisons and branch positions. */
  questions: Question[];
  delegates: unknown;
};

/** The definition as committed: picked out of a wider ballot (a record's, a row), questions in position order. */
export function definitionOf(b: BallotDefinition): BallotDefinition {
  return {
    id: b.id,
    title: b.title,
    description: b.description,
    k: b.k,
    receiptPolicy: b.receiptPolicy,
    voterListVisible: b.voterListVisible,
    questions: [...b.questions]
      .sort((x, y) => x.position - y.position)
      .map((q) => ({
        id: q.id,
        position: q.position,
        title: q.title,
        description: q.description,
        method: q.method,
        settings: q.settings,
        options: [...q.options]
          .sort((x, y) => x.position - y.position)
          .map((o) => ({ id: o.id, position: o.position, label: o.label, description: o.description })),
        // Declared comparisons are committed with their question; a question without any hashes as before they existed.
        ...(q.comparisons?.length ? { comparisons: q.comparisons } : {}),
        // So are branch meetings' positions (by branch name), fixed at opening.
        ...(q.positions?.length
          ? {
              positions: [...q.positions]
                .sort((x, y) => (x.branch < y.branch ? -1 : x.branch > y.branch ? 1 : 0))
                .map((p) => ({ branch: p.branch, position: p.position, attendance: p.attendance })),
            }
          : {}),
      })) as Question[],
    delegates: b.delegates ?? null,
  };
}

export function definitionHash(b: BallotDefinition): string {
  return sha256(canonicalJson(definitionOf(b)));
}

/** A branch of the electorate: its members in the electorate and the sum of their weights (a decimal string). */
export type BranchElectorate = { branch: string; eligible: number; weight: string };

const byName = (a: { branch: string }, b: { branch: string }) =>
  a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0;

/** The electorate as committed: branches by name (UTF-16 code units), each with its count and weight. */
export function electorateOf(byBranch: ReadonlyArray<BranchElectorate>): BranchElectorate[] {
  return [...byBranch]
    .sort(byName)
    .map((b) => ({ branch: b.branch, eligible: b.eligible, weight: normaliseDecimal(b.weight) }));
}

export function electorateHash(byBranch: ReadonlyArray<BranchElectorate>): string {
  return sha256(canonicalJson(electorateOf(byBranch)));
}

/** "2.50" and "2.5" are one weight: trailing zeros (and a bare point) go. */
export function normaliseDecimal(s: string): string {
  const t = s.trim();
  if (!t.includes('.')) return t;
  return t.replace(/0+$/, '').replace(/\.$/, '');
}

/** Adds two non-negative decimal strings exactly. */
export function addDecimals(a: string, b: string): string {
  const [ai, af = ''] = normaliseDecimal(a).split('.');
  const [bi, bf = ''] = normaliseDecimal(b).split('.');
  const scale = Math.max(af.length, bf.length);
  const sum = BigInt(ai! + af.padEnd(scale, '0')) + BigInt(bi! + bf.padEnd(scale, '0'));
  const digits = sum.toString().padStart(scale + 1, '0');
  return normaliseDecimal(scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
}

/** The Merkle root of a set of token hashes (hex): each a leaf, in ascending order, so no issuing order shows. */
export function tokensRoot(hashes: ReadonlyArray<string>): string {
  return merkleRoot([...hashes].sort());
}

/**
 * tokensRoot of hashes read in ascending order (as the database gives them), never all held
 * at once; and how many there were. Out of order is refused rather than given a wrong root.
 */
export async function tokensRootOfSorted(hashes: AsyncIterable<string>): Promise<{ root: string; count: number }> {
  const tree = new MerkleBuilder();
  let last: string | undefined;
  for await (const h of hashes) {
    if (last !== undefined && h < last) throw new Error('token hashes out of order: their root needs them ascending');
    tree.add(h);
    last = h;
  }
  return { root: tree.root(), count: tree.count };
}

/** What a receipt is hashed as when it is listed apart from its vote (the `inclusion` policy). */
export function receiptLeaf(receipt: string): string {
  return canonicalJson({ receipt });
}

/** What a vote is hashed as in the box's Merkle tree: its canonical JSON (without a receipt under `inclusion`). */
export function voteLeaf(v: Omit<StoredVote, 'receipt'> & { receipt?: string | undefined }): string {
  return canonicalJson({ receipt: v.receipt, unit: v.unit, weight: v.weight, answers: v.answers });
}

/**
 * The box root. Under `choices` each vote carries its receipt and the tree covers the votes
 * in published order (by receipt). Under `inclusion` the votes carry none: the tree covers
 * the votes (ordered by their own leaves), then the receipt codes (in code order), two lists
 * that do not say which receipt goes with which vote.
 */
export function boxRoot(
  policy: 'inclusion' | 'choices',
  votes: ReadonlyArray<Parameters<typeof voteLeaf>[0]>,
  receipts: ReadonlyArray<string>,
): string {
  if (policy === 'choices') return merkleRoot(votes.map(voteLeaf));
  return merkleRoot([...votes.map(voteLeaf), ...receipts.map(receiptLeaf)]);
}

/** Under `inclusion`, the published order of the votes: by their leaves (code units), which hold no receipt. */
export function inclusionOrder<V extends Parameters<typeof voteLeaf>[0]>(votes: ReadonlyArray<V>): V[] {
  return [...votes]
    .map((v) => [voteLeaf(v), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, v]) => v);
}

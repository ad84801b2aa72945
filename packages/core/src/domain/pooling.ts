/**
 * Small-cell protection for per-branch vote figures. A branch with fewer than k voters
 * is not published on its own: it is pooled with other small branches, and, where the
 * pool would still be under k or would hold a single branch, with the smallest large
 * branches too. Because a pool is published only as a whole and always holds two or
 * more branches that have voters, no small branch's figures can be recovered by
 * subtracting published totals from each other (complementary suppression).
 * Branches without voters reveal nothing and stay on their own.
 */
export type BranchTurnout = { branch: string; voters: number };

export type VotingUnit = {
  /** The name under which the unit's votes are published: a branch name, or "Pooled: …". */
  name: string;
  branches: string[];
  pooled: boolean;
};

/**
 * `includeEmpty`: pool branches with no voters too. Vote figures do not need it (an empty
 * branch has no votes to reveal); turnout does, since "0 of 3 voted" tells about each of
 * the three.
 */
export function poolBranches(
  branches: ReadonlyArray<BranchTurnout>,
  k: number,
  opts: { includeEmpty?: boolean } = {},
): VotingUnit[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of at least 1, not ${k}`);
  const sorted = [...branches].sort(
    (a, b) => a.voters - b.voters || (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0),
  );
  const pool = sorted.filter((b) => (b.voters > 0 || (opts.includeEmpty && k > 1)) && b.voters < k);
  const large = sorted.filter((b) => b.voters >= k);
  if (pool.length > 0) {
    let total = pool.reduce((n, b) => n + b.voters, 0);
    // Smallest large branches join until the pool is big enough and not a lone branch.
    while (
      (total < k || pool.length < 2 || (opts.includeEmpty && pool.every((b) => b.voters === 0))) &&
      large.length > 0
    ) {
      const next = large.shift()!;
      pool.push(next);
      total += next.voters;
    }
  }
  const pooled = new Set(pool.map((b) => b.branch));
  const units: VotingUnit[] = sorted
    .filter((b) => !pooled.has(b.branch))
    .map((b) => ({ name: b.branch, branches: [b.branch], pooled: false }));
  if (pool.length > 0) {
    const names = pool.map((b) => b.branch).sort();
    units.push({ name: `Pooled: ${names.join(', ')}`, branches: names, pooled: true });
  }
  return units.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

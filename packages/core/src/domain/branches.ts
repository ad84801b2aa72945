/**
 * Branch names as people mistype them: "Leeds", "leeds " and "Léeds" are one branch written
 * three ways. `branchKey` is the form they share; `nearestBranch` names the branch someone
 * most likely meant; `nearDuplicates` finds the names on a roll that share a key.
 */

/** Case, accents, and spaces at the ends or doubled inside do not make a different branch. */
export function branchKey(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Edits (insert, delete, replace) from a to b. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The real branch closest to `name`, if one is close enough to be a likely slip (at most a third of it differs). */
export function nearestBranch(name: string, branches: readonly string[]): string | undefined {
  const key = branchKey(name);
  let best: { name: string; d: number } | undefined;
  for (const b of branches) {
    const d = distance(key, branchKey(b));
    if (!best || d < best.d) best = { name: b, d };
  }
  return best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.name : undefined;
}

/** Groups of two or more names that are the same branch written differently, each group sorted. */
export function nearDuplicates(names: Iterable<string>): string[][] {
  const groups = new Map<string, Set<string>>();
  for (const n of names) {
    const k = branchKey(n);
    if (!groups.has(k)) groups.set(k, new Set());
    groups.get(k)!.add(n);
  }
  return [...groups.values()]
    .filter((g) => g.size > 1)
    .map((g) => [...g].sort())
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

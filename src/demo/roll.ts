import { type Member, ROLL_COLUMN } from '@omov/core/domain/member';
import { drawOrder, lot } from '@omov/core/tally/lot';

/**
 * The made-up member roll of a demo organisation: N members in B branches whose sizes
 * follow Zipf's law (the k-th largest branch has about 1/k of the largest one's members),
 * as in a real union: a few big city branches and a long tail of small rural ones.
 * Everything here is a pure function of its arguments and the seed.
 */

/** A demo member has the roll's own fields (and always a member number). */
export type DemoMember = Pick<Member, 'email' | 'name' | 'branch'> & { memberNumber: string };
export type DemoRoll = { branches: Array<{ name: string; size: number }>; members: DemoMember[] };

// Largest first: the big branches get city names, the small ones town and village names.
const CITIES = [
  'Manchester Central',
  'Glasgow City',
  'Birmingham',
  'Leeds',
  'Bristol',
  'Liverpool',
  'Sheffield',
  'Newcastle',
  'Cardiff',
  'Edinburgh',
];
const TOWNS = [
  'Norwich',
  'Derby',
  'Swansea',
  'York',
  'Exeter',
  'Lancaster',
  'Carlisle',
  'Inverness',
  'Hereford',
  'Shrewsbury',
  'Kendal',
  'Penrith',
  'Ripon',
  'Whitby',
  'Ludlow',
  'Brecon',
  'Oban',
  'Keswick',
  'Skipton',
  'Frome',
  'Malton',
  'Settle',
  'Ledbury',
  'Kelso',
  'Moffat',
  'Dunbar',
  'Bala',
  'Bude',
  'Hawes',
  'Alston',
  'Thurso',
  'Wigtown',
  'Rothbury',
  'Southwold',
  'Tobermory',
  'Llanidloes',
  'Pitlochry',
  'Crickhowell',
  'Aberaeron',
  'Stornoway',
];
const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Efe',
  'Fiona',
  'Gareth',
  'Hana',
  'Ivan',
  'Jo',
  'Kwame',
  'Lena',
  'Mo',
  'Niamh',
  'Oskar',
  'Priya',
  'Rhys',
  'Sana',
  'Tom',
  'Una',
  'Viktor',
  'Wen',
  'Yusuf',
  'Zoe',
];
const LAST = [
  'Ahmed',
  'Byrne',
  'Campbell',
  'Davies',
  'Evans',
  'Fraser',
  'Green',
  'Hughes',
  'Iqbal',
  'Jones',
  'Kowalski',
  'Lewis',
  'Murphy',
  'Nowak',
  "O'Brien",
  'Patel',
  'Quinn',
  'Roberts',
  'Singh',
  'Taylor',
  'Walsh',
  'Williams',
  'Young',
];

export function branchName(rank: number): string {
  const names = [...CITIES, ...TOWNS];
  return names[rank] ?? `Branch ${rank + 1}`;
}

/**
 * Zipf sizes summing to `members`: each branch gets one member, the rest are shared out
 * in proportion to 1/k by largest remainders (ties to the larger branch). Non-increasing.
 */
export function zipfSizes(members: number, branches: number): number[] {
  if (!Number.isInteger(branches) || branches < 1) throw new RangeError('at least one branch is needed');
  if (!Number.isInteger(members) || members < branches)
    throw new RangeError(`${members} members cannot fill ${branches} branches`);
  const weights = Array.from({ length: branches }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const rest = members - branches;
  const quotas = weights.map((w) => (rest * w) / total);
  const sizes = quotas.map((q) => 1 + Math.floor(q));
  let left = members - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, k) => ({ k, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (const { k } of byRemainder) {
    if (left === 0) break;
    sizes[k]!++;
    left--;
  }
  return sizes;
}

export function makeRoll(opts: { members: number; branches: number; seed: string; emailDomain: string }): DemoRoll {
  const sizes = zipfSizes(opts.members, opts.branches);
  const branches = sizes.map((size, k) => ({ name: branchName(k), size }));
  // Members are listed in a seeded order, so a branch's members are spread through the file.
  const slots = drawOrder(
    branches.flatMap((b) => Array.from({ length: b.size }, () => b.name)),
    opts.seed,
    'roll:order',
  );
  const g = lot(opts.seed, 'roll:names');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(g.next() * xs.length)]!;
  const width = String(opts.members).length;
  const members = slots.map((branch, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const n = String(i + 1).padStart(width, '0');
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    return { email: `${local}.${n}@${opts.emailDomain}`, name: `${first} ${last}`, branch, memberNumber: `M${n}` };
  });
  return { branches, members };
}

/** The roll as the CSV the import reads (RFC 4180 quoting where needed). */
export function rollCsv(roll: DemoRoll): string {
  const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const fields = ['email', 'name', 'branch', 'memberNumber'] as const;
  const lines = [
    fields.map((f) => ROLL_COLUMN[f]).join(','),
    ...roll.members.map((m) => fields.map((f) => cell(m[f])).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}

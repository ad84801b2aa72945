/**
 * `omov conference FILE --rule bloc|proportional|weighted|stv`: the members' vote beside the
 * delegate conference it replaces, with margins, smallest flips, disproportionality and
 * each branch's voting power.
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { InputError } from '../errors';
import { parseRational, type Rational } from '@omov/core/tally/rational';
import { METHODS, BallotError, ballotShape, type TallyOptions } from '@omov/core/tally/index';
import type { Method, RankedBallot, ScoreBallot } from '@omov/core/tally/types';
import {
  APPORTIONMENT_METHODS,
  METHOD_NAMES,
  compareConference,
  isApportionmentMethod,
  parseBandTable,
  type ApportionmentMethod,
  type Basis,
  type BranchInput,
  type ConferenceComparison,
  type ConferenceRule,
  type DelegateSettings,
  type Flip,
} from '@omov/core/delegates/index';
import { addMethodFlags, tallyOptionsFromFlags } from '../method-flags';
import { cellNumber, cellWhole, engine, json, readCsv, table, wholeFlag } from './apportion';

interface Flags {
  rule: ConferenceRule;
  seats?: string;
  apportion?: string;
  bands?: string;
  basis?: Basis;
  min?: string;
  max?: string;
  split?: string;
  /** The method's own flags (--rules, --threshold …) come from its descriptor: see ../method-flags. */
  method: Method;
  elect?: string;
  input: 'auto' | 'totals' | 'ballots';
  branches?: string;
  quota?: string;
  seed?: string;
  format: 'json' | 'text';
}

const HELP = `
FILE is one of:
  per-branch totals (one row per branch; single-mark methods: plurality, yesno, approval, block):
      branch,members,delegates,Yes,No
      North,1200,12,700,380
    "members", "electorate" and "delegates" are optional columns; every other column is an option.
  ballots (one row per ballot paper, any method):
      branch,Ann,Bob,Cy,weight
      North,1,2,,
    each option column holds a rank (1 = first; approval/block papers mark their choices 1),
    or with --method score a whole-number score; "weight" is optional. Give the branches'
    members or delegates with --branches FILE (branch,members,electorate,delegates).
  --input says which; by default a file with a "weight" column, or with a branch on several
  rows, is ballots, and otherwise totals.

Delegates per branch:
  --seats N [--apportion METHOD]   share N delegates (default method: hamilton) by the basis;
  --bands TABLE                    a rule-book table, e.g. "100:1,250:2,+250:1";
  otherwise the "delegates" column (of FILE or of --branches) as given.
  --basis members|electorate|turnout: what they are shared by (default: members where the file
  gives them, else turnout, i.e. the branch's valid votes). --min/--max bound every branch.

Rules: bloc (a branch's delegates all vote for the branch's own result), proportional (split
by the branch's votes, by --split METHOD, default the --apportion method), weighted (every
ballot weighted by the branch's delegates ÷ its votes, counted again by --method).
`;

export function register(program: Command): void {
  const command = program
    .command('conference')
    .description("count a ballot as a delegate conference would have, beside the members' vote")
    .argument('<file>', 'CSV of per-branch totals or of ballots with a branch column')
    .addOption(
      new Option('--rule <rule>', 'how delegates vote')
        .choices(['bloc', 'proportional', 'weighted', 'stv'])
        .makeOptionMandatory(),
    )
    .option('--seats <n>', 'delegates to share among the branches')
    .addOption(new Option('--apportion <method>', 'how to share them').choices([...APPORTIONMENT_METHODS]))
    .option('--bands <table>', 'delegates from a band table instead, e.g. "100:1,250:2,+250:1"')
    .addOption(new Option('--basis <basis>', 'share delegates by').choices(['members', 'electorate', 'turnout']))
    .option('--min <k>', 'at least this many delegates per branch')
    .option('--max <k>', 'at most this many delegates per branch')
    .addOption(
      new Option('--split <method>', "proportional rule: how a branch's delegates split").choices([
        ...APPORTIONMENT_METHODS,
      ]),
    )
    .addOption(
      new Option('-m, --method <method>', 'counting method of the ballot').choices([...METHODS]).default('plurality'),
    )
    .option('--elect <n>', 'places to fill (weighted rule only for more than 1)')
    .addOption(new Option('--input <kind>', 'what FILE holds').choices(['auto', 'totals', 'ballots']).default('auto'))
    .option('--branches <file>', 'CSV of branch,members,electorate,delegates (for a ballots file)')
    .option('--quota <q>', 'conference quota for the power indices (default: a majority of delegates)')
    .option('--seed <seed>', 'seed for lots (default "omov")')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'));
  addMethodFlags(command)
    .addHelpText('after', HELP)
    .action((file: string, flags: Flags) => {
      process.stdout.write(runConference(file, flags));
    });
}

const RESERVED = ['branch', 'members', 'electorate', 'delegates', 'weight'];

interface BranchInfo {
  members?: Rational;
  electorate?: Rational;
  delegates?: number;
}

function readBranchInfo(file: string): Map<string, BranchInfo> {
  const { header, headerLine, rows } = readCsv(file);
  const col = (n: string): number => header.findIndex((h) => h.toLowerCase() === n);
  const b = col('branch');
  if (b < 0) throw new InputError(`${file}: line ${headerLine}: the header needs a "branch" column`);
  const out = new Map<string, BranchInfo>();
  for (const r of rows) {
    const name = r.fields[b]!.trim();
    if (name === '') throw new InputError(`${file}: line ${r.line}: field "branch" is empty`);
    if (out.has(name))
      throw new InputError(`${file}: line ${r.line}: field "branch": ${JSON.stringify(name)} appears twice`);
    const info: BranchInfo = {};
    const m = col('members');
    const e = col('electorate');
    const d = col('delegates');
    if (m >= 0 && r.fields[m]!.trim() !== '') info.members = cellNumber(file, r, m, header[m]!, 'members');
    if (e >= 0 && r.fields[e]!.trim() !== '') info.electorate = cellNumber(file, r, e, header[e]!, 'electorate');
    if (d >= 0 && r.fields[d]!.trim() !== '') info.delegates = cellWhole(file, r, d, header[d]!, 'delegates');
    out.set(name, info);
  }
  return out;
}

interface Loaded {
  options: string[];
  branches: BranchInput[];
  hasMembers: boolean;
  hasDelegates: boolean;
}

function load(file: string, flags: Flags): Loaded {
  const { header, headerLine, rows } = readCsv(file);
  const lower = header.map((h) => h.toLowerCase());
  const branchCol = lower.indexOf('branch');
  if (branchCol < 0) throw new InputError(`${file}: line ${headerLine}: the header needs a "branch" column`);
  const optionCols = header.map((_, i) => i).filter((i) => !RESERVED.includes(lower[i]!));
  const options = optionCols.map((i) => header[i]!);
  if (options.length < 2)
    throw new InputError(
      `${file}: line ${headerLine}: the header names ${options.length} option(s); a question needs at least two`,
    );
  const names = rows.map((r) => r.fields[branchCol]!.trim());
  rows.forEach((r, i) => {
    if (names[i] === '') throw new InputError(`${file}: line ${r.line}: field "branch" is empty`);
  });
  let kind = flags.input;
  if (kind === 'auto') {
    const repeated = new Set(names).size !== names.length;
    kind = lower.includes('weight') || repeated ? 'ballots' : 'totals';
  }
  const info = flags.branches === undefined ? null : readBranchInfo(flags.branches);
  const col = (n: string): number => lower.indexOf(n);

  if (kind === 'totals') {
    if (lower.includes('weight'))
      throw new InputError(`${file}: line ${headerLine}: a "weight" column belongs in a ballots file`);
    const seen = new Set<string>();
    const branches = rows.map((r, i): BranchInput => {
      const name = names[i]!;
      if (seen.has(name))
        throw new InputError(
          `${file}: line ${r.line}: field "branch": ${JSON.stringify(name)} appears twice in a totals file`,
        );
      seen.add(name);
      const votes = optionCols.map((c) =>
        r.fields[c]!.trim() === '' ? parseRational('0') : cellNumber(file, r, c, header[c]!, 'votes'),
      );
      const extra = info?.get(name) ?? {};
      const m = col('members');
      const e = col('electorate');
      const d = col('delegates');
      return {
        name,
        votes,
        members: m >= 0 && r.fields[m]!.trim() !== '' ? cellNumber(file, r, m, header[m]!, 'members') : extra.members,
        electorate:
          e >= 0 && r.fields[e]!.trim() !== '' ? cellNumber(file, r, e, header[e]!, 'electorate') : extra.electorate,
        delegates:
          d >= 0 && r.fields[d]!.trim() !== '' ? cellWhole(file, r, d, header[d]!, 'delegates') : extra.delegates,
      };
    });
    return {
      options,
      branches,
      hasMembers: branches.every((b) => b.members !== undefined),
      hasDelegates: branches.every((b) => b.delegates !== undefined),
    };
  }

  // Ballots: one paper per row.
  for (const reserved of ['members', 'electorate', 'delegates']) {
    if (lower.includes(reserved))
      throw new InputError(
        `${file}: line ${headerLine}: a ballots file has no "${reserved}" column; give it with --branches`,
      );
  }
  const weightCol = col('weight');
  const score = ballotShape(flags.method) === 'score';
  const byBranch = new Map<string, Array<RankedBallot | ScoreBallot>>();
  rows.forEach((r, i) => {
    let weight = parseRational('1');
    if (weightCol >= 0 && r.fields[weightCol]!.trim() !== '')
      weight = cellNumber(file, r, weightCol, header[weightCol]!, 'weight');
    let ballot: RankedBallot | ScoreBallot;
    if (score) {
      const scores = optionCols.map((c) => {
        const cell = r.fields[c]!.trim();
        if (cell === '') return null;
        if (!/^-?\d+$/.test(cell))
          throw new InputError(
            `${file}: line ${r.line}: field "${header[c]}": score ${JSON.stringify(cell)} is not a whole number`,
          );
        return Number(cell);
      });
      ballot = { weight, scores };
    } else {
      const byRank = new Map<number, number[]>();
      optionCols.forEach((c, k) => {
        const cell = r.fields[c]!.trim();
        if (cell === '') return;
        if (!/^\d+$/.test(cell) || Number(cell) < 1) {
          throw new InputError(
            `${file}: line ${r.line}: field "${header[c]}": rank ${JSON.stringify(cell)} is not a whole number from 1 up`,
          );
        }
        const g = byRank.get(Number(cell));
        if (g) g.push(k);
        else byRank.set(Number(cell), [k]);
      });
      ballot = { weight, ranking: [...byRank.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g) };
    }
    const list = byBranch.get(names[i]!);
    if (list) list.push(ballot);
    else byBranch.set(names[i]!, [ballot]);
  });
  const order = info ? [...new Set([...byBranch.keys(), ...info.keys()])] : [...byBranch.keys()];
  const branches = order.map((name): BranchInput => {
    const extra = info?.get(name);
    if (info && !extra)
      throw new InputError(
        `${flags.branches}: branch ${JSON.stringify(name)} (which has ballots in ${file}) is missing`,
      );
    const ballots = byBranch.get(name) ?? [];
    return {
      name,
      ballots: score ? (ballots as ScoreBallot[]) : (ballots as RankedBallot[]),
      members: extra?.members,
      electorate: extra?.electorate,
      delegates: extra?.delegates,
    };
  });
  return {
    options,
    branches,
    hasMembers: branches.every((b) => b.members !== undefined),
    hasDelegates: branches.every((b) => b.delegates !== undefined),
  };
}

function settingsOf(flags: Flags, loaded: Loaded): DelegateSettings {
  const min = wholeFlag('--min', flags.min);
  const max = wholeFlag('--max', flags.max);
  const quota = wholeFlag('--quota', flags.quota, 1);
  const basis: Basis = flags.basis ?? (loaded.hasMembers ? 'members' : 'turnout');
  const split = flags.split as ApportionmentMethod | undefined;
  const common = { basis, rule: flags.rule, min, max, splitMethod: split, quota };
  if (flags.bands !== undefined) {
    if (flags.seats !== undefined || flags.apportion !== undefined)
      throw new InputError('--bands replaces --seats and --apportion: give one or the other');
    const table = engine(() => parseBandTable(flags.bands!));
    return { ...common, method: 'bands', bands: table.bands, beyond: table.beyond };
  }
  if (flags.seats !== undefined) {
    const seats = wholeFlag('--seats', flags.seats, 1)!;
    const method = flags.apportion ?? 'hamilton';
    if (!isApportionmentMethod(method)) throw new InputError(`unknown apportionment method ${JSON.stringify(method)}`);
    return { ...common, method, seats };
  }
  if (flags.apportion !== undefined) throw new InputError('--apportion needs --seats N');
  if (!loaded.hasDelegates)
    throw new InputError('no delegates: give a "delegates" column for every branch, or --seats N, or --bands TABLE');
  return { ...common, method: 'fixed' };
}

function countOf(flags: Flags): TallyOptions {
  return tallyOptionsFromFlags(flags.method, flags, flags.seed);
}

export function runConference(file: string, flags: Flags): string {
  const loaded = load(file, flags);
  const settings = settingsOf(flags, loaded);
  const count = countOf(flags);
  const elect = wholeFlag('--elect', flags.elect, 1);
  const question = path.basename(file, path.extname(file));
  let c: ConferenceComparison;
  try {
    c = engine(() =>
      compareConference({
        question,
        options: loaded.options,
        branches: loaded.branches,
        settings,
        count,
        elect,
        seed: flags.seed,
      }),
    );
  } catch (err) {
    if (err instanceof BallotError || err instanceof RangeError) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
  return flags.format === 'json' ? json(toJson(c)) : toText(c);
}

const num = (exact: string): number => {
  const r = parseRational(exact);
  return Number((Number((r.num * 1000000n) / r.den) / 1e6).toFixed(6));
};
const nums = (rec: Readonly<Record<string, string>>): Record<string, number> =>
  Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, num(v)]));

function toJson(c: ConferenceComparison): unknown {
  const power: Record<string, unknown> = {};
  for (const b of c.power?.branches ?? []) {
    power[b.name] = {
      delegates: b.delegates,
      banzhaf: b.banzhaf.value,
      shapleyShubik: b.shapleyShubik.value,
      banzhafAbsolute: b.banzhafAbsolute.value,
      perMember: b.perMember,
      exact: { banzhaf: b.banzhaf.exact, shapleyShubik: b.shapleyShubik.exact },
      standardError: { banzhaf: b.banzhaf.standardError, shapleyShubik: b.shapleyShubik.standardError },
    };
  }
  return {
    question: c.question,
    options: c.options,
    method: c.method,
    settings: c.settings,
    omov: {
      winner: c.omov.winner,
      elected: c.omov.elected,
      totals: nums(c.omov.totals),
      shares: c.omov.shares,
      margin: c.omov.margin,
      flip: c.omov.flip,
      exact: c.omov.totals,
    },
    conference: {
      winner: c.conference.winner,
      elected: c.conference.elected,
      delegates: nums(c.conference.delegates),
      shares: c.conference.shares,
      margin: c.conference.margin,
      flip: c.conference.flip,
      exact: c.conference.delegates,
    },
    agree: c.agree,
    flip: { omov: c.omov.flip, conference: c.conference.flip },
    power,
    quota: c.power?.quota ?? null,
    powerMethod: c.power?.method ?? null,
    branches: c.branches,
    disproportionality: c.disproportionality,
    paradoxes: c.paradoxes,
    ties: c.ties,
    seed: c.seed,
    notes: [...c.notes, ...(c.power?.notes ?? [])],
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

function flipText(f: Flip | null): string {
  if (f === null) return '—';
  const where = f.changes.map((ch) => (ch.branch === null ? 'any branch' : `${ch.branch} ${ch.members}`)).join(', ');
  return `${f.members} member${f.members === 1 ? '' : 's'} → ${f.to} (${where})`;
}

function toText(c: ConferenceComparison): string {
  const s = c.settings;
  const how =
    s.method === 'fixed'
      ? 'as given'
      : s.method === 'bands'
        ? `by band table on ${s.basis}`
        : `by ${s.basis}, ${METHOD_NAMES[s.method]}`;
  let out = `Question: ${c.question}\n`;
  out += `Counted by ${c.method}${c.elect > 1 ? ` (${c.elect} places)` : ''}; conference rule: ${s.rule}${s.splitMethod ? ` (split by ${METHOD_NAMES[s.splitMethod]})` : ''}; ${s.delegates} delegates ${how}\n\n`;
  const rows: string[][] = [['Option', "Members' vote", 'share', 'Conference', 'share']];
  for (const o of c.options) {
    rows.push([o, c.omov.totals[o]!, pct(c.omov.shares[o]!), c.conference.delegates[o]!, pct(c.conference.shares[o]!)]);
  }
  out += table(rows);
  const margin = (m: ConferenceComparison['omov']['margin'], unit: string): string =>
    m === null
      ? '—'
      : `${m.votes} ${unit} over ${m.over} (${pct(m.share)}${m.basis === 'final round' ? ', final round' : ''})`;
  out +=
    '\n' +
    table(
      [
        ['', "Members' vote", 'Conference'],
        ['Elected', c.omov.elected.join(', ') || '—', c.conference.elected.join(', ') || '—'],
        ['Margin', margin(c.omov.margin, 'votes'), margin(c.conference.margin, 'delegate votes')],
        ['Smallest flip', flipText(c.omov.flip), flipText(c.conference.flip)],
      ],
      3,
    );
  out += `\nAgree: ${c.agree ? 'yes' : 'NO'}\n`;
  for (const p of c.paradoxes) out += `${p.description}\n`;

  const powerOf = new Map((c.power?.branches ?? []).map((b) => [b.name, b]));
  const brows: string[][] = [
    [
      'Branch',
      'Members',
      'Votes',
      'Delegates',
      'Per 1000',
      'Repr.',
      'Delegate votes',
      'Banzhaf',
      'Shapley–Shubik',
      'Power/member',
    ],
  ];
  for (const b of c.branches) {
    const p = powerOf.get(b.name);
    const votes =
      Object.entries(b.conference)
        .filter(([, v]) => v !== '0')
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—';
    brows.push([
      b.name,
      b.members ?? '—',
      b.votes,
      String(b.delegates),
      b.delegatesPerMember === null ? '—' : (b.delegatesPerMember * 1000).toFixed(3),
      b.representation === null
        ? '—'
        : `${b.representation.toFixed(3)}${b.verdict === 'over' ? ' over' : b.verdict === 'under' ? ' under' : ''}`,
      votes,
      p ? p.banzhaf.value.toFixed(4) : '—',
      p ? p.shapleyShubik.value.toFixed(4) : '—',
      p?.perMember ? `${p.perMember.banzhaf.toFixed(3)} / ${p.perMember.shapleyShubik.toFixed(3)}` : '—',
    ]);
  }
  out += '\n' + table(brows);
  const d = c.disproportionality;
  out += `\nDisproportionality (percentage points): votes vs delegates Gallagher ${d.options.gallagher.toFixed(2)}, Loosemore–Hanby ${d.options.loosemoreHanby.toFixed(2)}; `;
  out += `${s.basis} vs delegates by branch Gallagher ${d.branches.gallagher.toFixed(2)}, Loosemore–Hanby ${d.branches.loosemoreHanby.toFixed(2)}\n`;
  if (c.power)
    out += `Power: quota ${c.power.quota} of ${c.power.totalDelegates} delegates; Banzhaf ${c.power.method.banzhaf}, Shapley–Shubik ${c.power.method.shapleyShubik}; power/member is Banzhaf / Shapley–Shubik ÷ the branch's share of members (1 = fair)\n`;
  for (const n of [...c.notes, ...(c.power?.notes ?? [])]) out += `Note: ${n}\n`;
  for (const t of c.ties) out += `Lot (${t.stage}): ${t.note}\n`;
  return out;
}

import { randomBytes } from 'node:crypto';
import {
  ballotInputSchema,
  DEFAULT_DELEGATES,
  type DelegateSettingsInput,
  type BallotInput,
  type BallotMode,
  type DeclaredComparison,
  MAX_COMPARISONS,
  OFFICE_MODE,
} from '@omov/core/domain/ballot';
import { fieldStart, isMethod, type Method, METHOD_LIST, methodOf } from '@omov/core/methods/index';
import type { BallotView } from '../../../services/ballots';
import { addIssue, type FieldIssues } from './common';
import { isoToLocal, isTimeZone, localToIso } from '@omov/core/domain/zones';
import { dateOrderOf, isoDate, readDate } from '@omov/core/domain/dates';

/**
 * The ballot builder's form as plain strings, so that a form re-rendered after "add an
 * option" (or after a mistake) shows exactly what was typed. Field names are flat
 * ("q1_o2_label"), each also the id of its input, so that an error names its field.
 * Only on saving is the state turned into the API's input and checked by the same zod
 * schema the API uses (src/domain/ballot.ts); each issue lands next to its field.
 */

export type OptionState = { label: string; description: string };
export type QuestionState = {
  title: string;
  description: string;
  method: Method;
  /** The method's settings as typed, by field key (its descriptor's fields). */
  settings: Record<string, string>;
  options: OptionState[];
  comparisons: ComparisonState[];
};
/**
 * A declared comparison as typed. `table` holds a fixed model's numbers ("Leeds: 4", one
 * branch a line) or a band table ("100 1"); `sections` a card vote's sections ("Unions; 1/2;
 * Leeds, York", one a line, no branches for every other branch); `extras` the extra delegates
 * ("women; 100; Leeds: 120, York: 80", one rule a line, "; 2" after for two more). What the form has no field
 * for (bounds, a split method, a band table's beyond, an exhaustive ballot's base), declared
 * through the API, rides along unchanged in `kept` (JSON).
 */
export type ComparisonState = {
  label: string;
  method: string;
  seats: string;
  basis: string;
  rule: string;
  table: string;
  extras: string;
  /** Rule attendees: each branch's meeting attendance ("Leeds: 40", one branch a line). */
  attendance: string;
  /** Affiliated delegations, one a line: "Unite; 4; Leeds: 3, York: 1" (name; delegates; mandate per option). */
  affiliates: string;
  /** A balance within delegations, one line: "women; 1/2; Leeds: 40, York: 12" (who; least share; counts). */
  balance: string;
  /** Regional tiers: each branch's region ("Leeds: North", one a line), national delegates, and how a region's vote. */
  regions: string;
  regionSeats: string;
  regionVote: string;
  /** A council by lot (method sortition): the seed committed with it, and 'stratified' to draw from each branch. */
  seed: string;
  draw: string;
  procedure: string;
  required: string;
  sections: string;
  /** Also count it with delegates mandated by their branch meetings' positions: '', 'majority' or 'abstain'. */
  mandates: string;
  kept: string;
};
export type DelegateState = {
  enabled: boolean;
  basis: string;
  rule: string;
  method: string;
  seats: string;
  min: string;
  max: string;
  split: string;
  bands: string;
  beyondEvery: string;
  beyondDelegates: string;
  beyondOrPart: boolean;
};
export type BuilderState = {
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  zone: string;
  k: string;
  receiptPolicy: string;
  voterListVisible: boolean;
  reminderHours: string;
  /** Eligibility: the branches ticked (none: every branch), and a joining date (blank: any). */
  eligibleBranches: string[];
  joinedBefore: string;
  randomiseOptions: boolean;
  /** The ballot's mode ('office' or 'verifiable') and, for a verifiable one, its trustees as typed. */
  mode: string;
  trustees: string;
  threshold: string;
  credentialAuthority: string;
  /** Verifiable mode: whether a member may cast again, the later ballot replacing the earlier. */
  revoting: boolean;
  delegates: DelegateState;
  questions: QuestionState[];
};

export const MAX_QUESTIONS = 50;
export const MAX_OPTIONS = 200;

const blankOption = (): OptionState => ({ label: '', description: '' });

/** The method a new question starts with: the first in the list. */
const FIRST_METHOD = METHOD_LIST[0]!.name;

/** A method's settings as typed: each field's value in `given`, or where blank, how the field starts. */
function settingsState(method: Method, given: (key: string) => string): Record<string, string> {
  const d = methodOf(method);
  return Object.fromEntries(d.fields.map((f) => [f.key, given(f.key) || fieldStart(d, f.key)]));
}

export function newQuestion(method: Method = FIRST_METHOD): QuestionState {
  return {
    title: '',
    description: '',
    method,
    settings: settingsState(method, () => ''),
    options: methodOf(method).motion ? [] : [blankOption(), blankOption()],
    comparisons: [],
  };
}

export const blankComparison = (): ComparisonState => ({
  label: '',
  method: 'sainte-lague',
  seats: '100',
  basis: 'members',
  rule: 'bloc',
  table: '',
  procedure: 'method',
  required: '1/2',
  extras: '',
  attendance: '',
  affiliates: '',
  balance: '',
  regions: '',
  regionSeats: '',
  regionVote: 'bloc',
  // A council by lot's seed, should the organiser choose one: fixed now, committed when the ballot opens.
  seed: randomBytes(12).toString('hex'),
  draw: 'box',
  sections: '',
  mandates: '',
  kept: '',
});

/** A stored comparison as the form shows it. */
function comparisonState(c: DeclaredComparison): ComparisonState {
  const m = c.model;
  const p = c.procedure;
  if (m.method === 'sortition')
    return {
      ...blankComparison(),
      label: c.label,
      method: m.method,
      seats: String(m.council),
      seed: m.seed,
      draw: m.stratified ? 'stratified' : 'box',
      mandates: c.mandates ?? '',
    };
  const kept = {
    ...(m.min !== undefined ? { min: m.min } : {}),
    ...(m.max !== undefined ? { max: m.max } : {}),
    ...(m.splitMethod ? { splitMethod: m.splitMethod } : {}),
    ...(m.method === 'bands' && m.beyond ? { beyond: m.beyond } : {}),
    ...(p.kind === 'exhaustive' && p.majorityOf !== 'cast' ? { majorityOf: p.majorityOf } : {}),
    ...(m.regions && m.regions.method !== 'sainte-lague' ? { regionMethod: m.regions.method } : {}),
  };
  const byBranch = (r: Readonly<Record<string, number | string>>, sep: string) =>
    Object.entries(r)
      .map(([b, n]) => `${b}: ${n}`)
      .join(sep);
  return {
    label: c.label,
    method: m.method,
    seats: m.method === 'bands' || m.method === 'fixed' ? '' : String(m.seats),
    basis: m.basis,
    rule: m.rule,
    table:
      m.method === 'fixed'
        ? Object.entries(m.numbers)
            .map(([b, n]) => `${b}: ${n}`)
            .join('\n')
        : m.method === 'bands'
          ? m.bands.map((b) => `${b.upTo} ${b.delegates}`).join('\n')
          : '',
    extras: (m.extras ?? [])
      .map(
        (e) =>
          `${e.label}; ${e.atLeast}; ${Object.entries(e.counts)
            .map(([b, n]) => `${b}: ${n}`)
            .join(', ')}${e.delegates !== 1 ? `; ${e.delegates}` : ''}`,
      )
      .join('\n'),
    attendance: Object.entries(m.attendance ?? {})
      .map(([b, n]) => `${b}: ${n}`)
      .join('\n'),
    affiliates: (m.affiliates ?? [])
      .map(
        (a) =>
          `${a.name}; ${a.delegates !== undefined ? a.delegates : `${a.members} members`}; ${byBranch(a.mandate, ', ')}`,
      )
      .join('\n'),
    balance: m.balance ? `${m.balance.label}; ${m.balance.share}; ${byBranch(m.balance.counts, ', ')}` : '',
    regions: m.regions ? byBranch(m.regions.of, '\n') : '',
    regionSeats: m.regions ? String(m.regions.seats) : '',
    regionVote: m.regions?.vote ?? 'bloc',
    seed: blankComparison().seed,
    draw: 'box',
    procedure: p.kind === 'majority' && p.otherwise === 'run-off' ? 'run-off' : p.kind,
    required: p.kind === 'majority' ? p.required : '1/2',
    sections:
      p.kind === 'card' ? p.sections.map((x) => `${x.name}; ${x.weight}; ${x.branches.join(', ')}`).join('\n') : '',
    mandates: c.mandates ?? '',
    kept: Object.keys(kept).length ? JSON.stringify(kept) : '',
  };
}

/** A typed comparison as the API's input (checked by its schema with the rest); issues of form land on their fields. */
function comparisonInput(c: ComparisonState, id: string, issues: FieldIssues): unknown {
  let kept: Record<string, unknown>;
  try {
    kept = c.kept ? (JSON.parse(c.kept) as Record<string, unknown>) : {};
  } catch {
    // A hidden field someone edited by hand: what it kept is dropped, the typed fields stand.
    kept = {};
  }
  const { majorityOf, beyond, regionMethod, ...bounds } = kept;
  const lines = (text: string) =>
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const extras = lines(c.extras).map((line) => {
    const [label = '', atLeast = '', counts = '', delegates = '1'] = line.split(';').map((x) => x.trim());
    const byBranch: Record<string, number> = {};
    for (const part of counts
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const m = /^(.+?)\s*[:=]\s*(\d+)$/.exec(part);
      if (m) byBranch[m[1]!.trim()] = Number(m[2]);
      else addIssue(issues, `${id}_extras`, `"${part}" is not "branch: count", e.g. "Leeds: 120"`);
    }
    if (!/^\d+$/.test(atLeast)) addIssue(issues, `${id}_extras`, `"${atLeast}" is not a whole number of members`);
    if (!/^\d+$/.test(delegates)) addIssue(issues, `${id}_extras`, `"${delegates}" is not a whole number of delegates`);
    return { label, atLeast: Number(atLeast), delegates: Number(delegates), counts: byBranch };
  });
  const attendance: Record<string, number> = {};
  for (const line of lines(c.attendance)) {
    const m = /^(.+?)\s*[:=\t]\s*(\d+)$/.exec(line);
    if (m) attendance[m[1]!.trim()] = Number(m[2]);
    else addIssue(issues, `${id}_attendance`, `"${line}" is not "branch: attendance", e.g. "Leeds: 40"`);
  }
  // "name: 3, other: 1" as a record of whole numbers; a part that is not one is an issue on the field.
  const counts = (text: string, field: string, what: string) => {
    const out: Record<string, number> = {};
    for (const part of text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const m = /^(.+?)\s*[:=]\s*(\d+)$/.exec(part);
      if (m) out[m[1]!.trim()] = Number(m[2]);
      else addIssue(issues, `${id}_${field}`, `"${part}" is not "${what}: a whole number"`);
    }
    return out;
  };
  const affiliates = lines(c.affiliates).map((line) => {
    const [name = '', size = '', mandate = ''] = line.split(';').map((x) => x.trim());
    // "4" delegates, or "2500 members" of affiliated membership (its delegates then by the model).
    const members = /^(\d+)\s*members?$/i.exec(size);
    if (!members && !/^\d+$/.test(size))
      addIssue(issues, `${id}_affiliates`, `"${size}" is not a whole number of delegates, nor "2500 members"`);
    return {
      name,
      ...(members ? { members: Number(members[1]) } : { delegates: Number(size) }),
      mandate: counts(mandate, 'affiliates', 'option'),
    };
  });
  let balance: unknown;
  if (c.balance.trim()) {
    const [label = '', share = '', byBranch = ''] = c.balance.split(';').map((x) => x.trim());
    balance = { label, share, counts: counts(byBranch, 'balance', 'branch') };
  }
  let regions: unknown;
  if (lines(c.regions).length || c.regionSeats.trim()) {
    const of: Record<string, string> = {};
    for (const line of lines(c.regions)) {
      const m = /^(.+?)\s*[:=\t]\s*(.+)$/.exec(line);
      if (m) of[m[1]!.trim()] = m[2]!.trim();
      else addIssue(issues, `${id}_regions`, `"${line}" is not "branch: region", e.g. "Leeds: North"`);
    }
    const t = c.regionSeats.trim();
    if (!/^\d+$/.test(t)) addIssue(issues, `${id}_regionSeats`, 'Give the national delegates as a whole number');
    regions = { of, seats: Number(t), vote: c.regionVote, ...(regionMethod ? { method: regionMethod } : {}) };
  }
  const common = {
    basis: c.basis,
    rule: c.rule,
    ...bounds,
    ...(extras.length ? { extras } : {}),
    ...(c.rule === 'attendees' || Object.keys(attendance).length ? { attendance } : {}),
    ...(affiliates.length ? { affiliates } : {}),
    ...(balance ? { balance } : {}),
    ...(regions ? { regions } : {}),
  };
  let model: unknown;
  if (c.method === 'sortition') {
    const t = c.seats.trim();
    if (!/^\d+$/.test(t)) addIssue(issues, `${id}_seats`, 'Give the council members as a whole number');
    model = { method: 'sortition', council: Number(t), stratified: c.draw === 'stratified', seed: c.seed };
  } else if (c.method === 'fixed') {
    const numbers: Record<string, number> = {};
    for (const line of lines(c.table)) {
      const m = /^(.+?)\s*[:=\t]\s*(\d+)$/.exec(line);
      if (m) numbers[m[1]!.trim()] = Number(m[2]);
      else addIssue(issues, `${id}_table`, `"${line}" is not "branch: delegates", e.g. "Leeds: 4"`);
    }
    model = { ...common, method: 'fixed', numbers };
  } else if (c.method === 'bands') {
    const bands = lines(c.table).flatMap((line) => {
      const m = /^(\d+)\s*[\s:,;=]\s*(\d+)$/.exec(line);
      if (m) return [{ upTo: Number(m[1]), delegates: Number(m[2]) }];
      addIssue(issues, `${id}_table`, `"${line}" is not "members delegates", e.g. "100 1"`);
      return [];
    });
    model = { ...common, method: 'bands', bands, ...(beyond ? { beyond } : {}) };
  } else {
    const t = c.seats.trim();
    if (t !== '' && !/^\d+$/.test(t)) addIssue(issues, `${id}_seats`, 'Use a whole number');
    model = { ...common, method: c.method, seats: t === '' ? undefined : Number(t) };
  }
  let procedure: unknown;
  switch (c.procedure) {
    case 'exhaustive':
      procedure = { kind: 'exhaustive', ...(majorityOf ? { majorityOf } : {}) };
      break;
    case 'majority':
    case 'run-off':
      procedure = {
        kind: 'majority',
        required: c.required.trim() || '1/2',
        otherwise: c.procedure === 'run-off' ? 'run-off' : 'no decision',
      };
      break;
    case 'card':
      procedure = {
        kind: 'card',
        sections: lines(c.sections).map((line) => {
          const [name = '', weight = '', branches = ''] = line.split(';').map((x) => x.trim());
          return {
            name,
            weight,
            branches: branches
              .split(',')
              .map((b) => b.trim())
              .filter(Boolean),
          };
        }),
      };
      break;
    default:
      procedure = { kind: 'method' };
  }
  // Blank: no mandated count. Anything else goes to the schema, which names the field if it is not a rule.
  return { label: c.label, model, procedure, ...(c.mandates ? { mandates: c.mandates } : {}) };
}

function delegateState(d: DelegateSettingsInput | null): DelegateState {
  const base: DelegateState = {
    enabled: d !== null,
    basis: 'members',
    rule: 'bloc',
    method: 'sainte-lague',
    seats: '100',
    min: '',
    max: '',
    split: '',
    bands: '',
    beyondEvery: '',
    beyondDelegates: '',
    beyondOrPart: false,
  };
  // A council by lot is declared per question, never for the whole ballot (refused by its schema).
  if (!d || d.method === 'sortition') return base;
  const s = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    ...base,
    basis: d.basis,
    rule: d.rule,
    method: d.method,
    min: s(d.min),
    max: s(d.max),
    split: d.splitMethod ?? '',
    ...(d.method === 'bands'
      ? {
          seats: '',
          bands: d.bands.map((b) => `${b.upTo} ${b.delegates}`).join('\n'),
          beyondEvery: s(d.beyond?.every),
          beyondDelegates: s(d.beyond?.delegates),
          beyondOrPart: d.beyond?.orPart ?? false,
        }
      : { seats: d.method === 'fixed' ? '' : String(d.seats) }),
  };
}

/** A verifiable ballot starts with 3 trustees, any 2 of whom can decrypt: one may be away at the count. */
function modeState(
  m: BallotMode,
): Pick<BuilderState, 'mode' | 'trustees' | 'threshold' | 'credentialAuthority' | 'revoting'> {
  return m.kind === 'verifiable'
    ? {
        mode: m.kind,
        trustees: String(m.trustees),
        threshold: String(m.threshold),
        credentialAuthority: m.credentialAuthority,
        revoting: m.revoting,
      }
    : { mode: m.kind, trustees: '3', threshold: '2', credentialAuthority: '', revoting: true };
}

/** A time as the builder shows it: ISO's order, readable ("2026-12-05 18:00"); typed, any form localToIso reads. */
const shownTime = (instant: Date | string, zone: string) => isoToLocal(instant, zone).replace('T', ' ');

/** A new ballot: opening at the next hour, closing a week later, the API's defaults; times in `zone`. */
export function emptyState(now: Date, zone = 'UTC'): BuilderState {
  const opens = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  const closes = new Date(opens.getTime() + 7 * 24 * 3_600_000);
  return {
    title: '',
    description: '',
    opensAt: shownTime(opens, zone),
    closesAt: shownTime(closes, zone),
    zone,
    k: '10',
    receiptPolicy: 'inclusion',
    voterListVisible: false,
    reminderHours: '72, 24',
    eligibleBranches: [],
    joinedBefore: '',
    randomiseOptions: false,
    ...modeState(OFFICE_MODE),
    delegates: delegateState(DEFAULT_DELEGATES),
    questions: [newQuestion()],
  };
}

/** A stored draft, its times shown in its own zone. */
export function stateFromBallot(b: BallotView): BuilderState {
  const str = (v: unknown, fallback = '') => (v === undefined || v === null ? fallback : String(v));
  return {
    title: b.title,
    description: b.description,
    opensAt: shownTime(b.opensAt, b.timeZone),
    closesAt: shownTime(b.closesAt, b.timeZone),
    zone: b.timeZone,
    k: String(b.k),
    receiptPolicy: b.receiptPolicy,
    voterListVisible: b.voterListVisible,
    reminderHours: b.reminderHours.join(', '),
    eligibleBranches: [...(b.eligibility?.branches ?? [])],
    joinedBefore: b.eligibility?.joinedBefore ?? '',
    randomiseOptions: b.randomiseOptions,
    ...modeState(b.mode),
    delegates: delegateState((b.delegateSettings ?? null) as DelegateSettingsInput | null),
    questions: b.questions.map((q) => ({
      ...newQuestion(q.method),
      title: q.title,
      description: q.description,
      settings: settingsState(q.method, (key) => {
        const v = (q.settings as Record<string, unknown>)[key];
        const field = methodOf(q.method).fields.find((f) => f.key === key);
        return field?.input === 'lines' ? field.format(v) : str(v);
      }),
      options: methodOf(q.method).motion ? [] : q.options.map((o) => ({ label: o.label, description: o.description })),
      comparisons: (q.comparisons ?? []).map(comparisonState),
    })),
  };
}

const count = (v: string | undefined, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : 0;
};

/**
 * Pasted options, one a line, into the rows: blank rows are filled first, then rows are
 * added. A line copied from a spreadsheet (cells split by tabs) gives a name, then a statement.
 */
export function pasteInto(options: OptionState[], pasted: string): void {
  for (const line of pasted.split(/\r?\n/)) {
    const [label = '', ...rest] = line.split('\t').map((c) => c.trim());
    if (!label) continue;
    const option = { label, description: rest.filter(Boolean).join(' ') };
    const blank = options.findIndex((o) => !o.label.trim() && !o.description.trim());
    if (blank >= 0) options[blank] = option;
    else if (options.length < MAX_OPTIONS) options.push(option);
  }
}

/** `branches`: every value of the repeated field "eligibleBranches" (one per ticked box). */
export function stateFromForm(body: Record<string, string>, branches: readonly string[] = []): BuilderState {
  const s = (k: string) => body[k] ?? '';
  const questions: QuestionState[] = [];
  for (let i = 0; i < count(body.questions, MAX_QUESTIONS); i++) {
    const chosen = s(`q${i}_method`);
    const method = isMethod(chosen) ? chosen : FIRST_METHOD;
    const motion = methodOf(method).motion === true;
    const options: OptionState[] = [];
    for (let j = 0; j < count(body[`q${i}_options`], MAX_OPTIONS); j++) {
      options.push({ label: s(`q${i}_o${j}_label`), description: s(`q${i}_o${j}_description`) });
    }
    // Whatever button was pressed, pasted lines are not lost: "Save" keeps them too.
    if (!motion) pasteInto(options, s(`q${i}_paste`));
    const comparisons: ComparisonState[] = [];
    for (let j = 0; j < count(body[`q${i}_comparisons`], MAX_COMPARISONS); j++) {
      const c = (k: keyof ComparisonState) => s(`q${i}_c${j}_${k}`);
      comparisons.push({
        label: c('label'),
        method: c('method'),
        seats: c('seats'),
        basis: c('basis'),
        rule: c('rule'),
        table: c('table'),
        extras: c('extras'),
        attendance: c('attendance'),
        affiliates: c('affiliates'),
        balance: c('balance'),
        regions: c('regions'),
        regionSeats: c('regionSeats'),
        regionVote: c('regionVote'),
        seed: c('seed'),
        draw: c('draw'),
        procedure: c('procedure'),
        required: c('required'),
        sections: c('sections'),
        mandates: c('mandates'),
        kept: c('kept'),
      });
    }
    const q: QuestionState = {
      title: s(`q${i}_title`),
      description: s(`q${i}_description`),
      method,
      // A setting the previous method shared (seats, say) keeps its value.
      settings: settingsState(method, (key) => s(`q${i}_${key}`)),
      options: motion ? [] : options,
      comparisons,
    };
    // A question that has just become one with options gets two rows to fill.
    while (!motion && q.options.length < 2) q.options.push(blankOption());
    questions.push(q);
  }
  return {
    title: s('title'),
    description: s('description'),
    opensAt: s('opensAt'),
    closesAt: s('closesAt'),
    zone: s('zone') || 'UTC',
    k: s('k'),
    receiptPolicy: s('receiptPolicy') === 'choices' ? 'choices' : 'inclusion',
    voterListVisible: s('voterListVisible') === 'yes',
    reminderHours: s('reminderHours'),
    eligibleBranches: [...branches],
    joinedBefore: s('joinedBefore'),
    randomiseOptions: s('randomiseOptions') === 'yes',
    mode: s('mode') === 'verifiable' ? 'verifiable' : 'office',
    trustees: s('mode_trustees'),
    threshold: s('mode_threshold'),
    credentialAuthority: s('mode_credentialAuthority'),
    revoting: s('mode_revoting') === 'yes',
    delegates: {
      enabled: s('del_enabled') === 'yes',
      basis: s('del_basis'),
      rule: s('del_rule'),
      method: s('del_method'),
      seats: s('del_seats'),
      min: s('del_min'),
      max: s('del_max'),
      split: s('del_split'),
      bands: s('del_bands'),
      beyondEvery: s('del_beyond_every'),
      beyondDelegates: s('del_beyond_delegates'),
      beyondOrPart: s('del_beyond_orpart') === 'yes',
    },
    questions,
  };
}

/** What a structural button did, and which part of the page to come back to. */
export function applyAction(
  state: BuilderState,
  action: string,
  newMethod: string,
): { state: BuilderState; focus: string } {
  const qs = [...state.questions];
  const [verb, a, b] = action.split(':');
  const i = Number(a);
  const j = Number(b);
  const swap = <T>(list: T[], x: number, y: number) => {
    if (x < 0 || y < 0 || x >= list.length || y >= list.length) return;
    [list[x], list[y]] = [list[y]!, list[x]!];
  };
  const q = Number.isInteger(i) ? qs[i] : undefined;
  let focus = 'questions';
  switch (verb) {
    case 'add-question':
      if (qs.length < MAX_QUESTIONS) qs.push(newQuestion(isMethod(newMethod) ? newMethod : FIRST_METHOD));
      focus = `q${qs.length - 1}`;
      break;
    case 'remove-question':
      if (q) qs.splice(i, 1);
      break;
    case 'up-question':
      swap(qs, i, i - 1);
      focus = `q${Math.max(0, i - 1)}`;
      break;
    case 'down-question':
      swap(qs, i, i + 1);
      focus = `q${Math.min(qs.length - 1, i + 1)}`;
      break;
    case 'method':
      focus = `q${i}`;
      break;
    case 'add-option':
      if (q && q.options.length < MAX_OPTIONS) qs[i] = { ...q, options: [...q.options, blankOption()] };
      focus = `q${i}_o${(qs[i]?.options.length ?? 1) - 1}_label`;
      break;
    case 'remove-option':
      if (q) qs[i] = { ...q, options: q.options.filter((_, k) => k !== j) };
      focus = `q${i}_options`;
      break;
    case 'add-comparison':
      if (q && q.comparisons.length < MAX_COMPARISONS)
        qs[i] = { ...q, comparisons: [...q.comparisons, blankComparison()] };
      focus = `q${i}_c${(qs[i]?.comparisons.length ?? 1) - 1}_label`;
      break;
    case 'remove-comparison':
      if (q) qs[i] = { ...q, comparisons: q.comparisons.filter((_, k) => k !== j) };
      focus = `q${i}_comparisons`;
      break;
    case 'up-option':
    case 'down-option':
      if (q) {
        const options = [...q.options];
        const to = verb === 'up-option' ? j - 1 : j + 1;
        swap(options, j, to);
        qs[i] = { ...q, options };
        focus = `q${i}_o${Math.min(Math.max(to, 0), options.length - 1)}_label`;
      }
      break;
    default:
      break;
  }
  return { state: { ...state, questions: qs }, focus };
}

/** Every method's settings by key, named as the error summary says them. */
const SETTING_NAMES: Record<string, string> = Object.fromEntries(
  METHOD_LIST.flatMap((d) => d.fields.map((f) => [f.key, f.short])),
);

/** Names the field an issue is about, in words, for the error summary. */
export function fieldLabel(field: string): string {
  const fixed: Record<string, string> = {
    title: 'Title',
    description: 'Description',
    opensAt: 'Voting opens',
    closesAt: 'Voting closes',
    zone: 'Time zone',
    k: 'Smallest branch published on its own (k)',
    receiptPolicy: 'Receipts',
    reminderHours: 'Reminders',
    questions: 'Questions',
    eligibleBranches: 'Who may vote: branches',
    joinedBefore: 'Who may vote: joined before',
    mode_trustees: 'Verifiable: number of trustees',
    mode_threshold: 'Verifiable: trustees needed to decrypt',
    mode_credentialAuthority: 'Verifiable: credential authority',
    del_basis: 'Delegates: shared by',
    del_rule: 'Delegates: how they vote',
    del_method: 'Delegates: how they are shared',
    del_seats: 'Delegates: number of delegates',
    del_min: 'Delegates: at least',
    del_max: 'Delegates: at most',
    del_split: 'Delegates: split',
    del_bands: 'Delegates: band table',
    del_beyond_every: 'Delegates: for each further',
    del_beyond_delegates: 'Delegates: more delegates',
  };
  if (fixed[field]) return fixed[field]!;
  const c = /^q(\d+)_c(\d+)_(\w+)$/.exec(field);
  if (c)
    return `Question ${Number(c[1]) + 1}, comparison ${Number(c[2]) + 1}: ${COMPARISON_FIELD_NAMES[c[3]!] ?? c[3]}`;
  const o = /^q(\d+)_o(\d+)_(label|description)$/.exec(field);
  if (o) return `Question ${Number(o[1]) + 1}, option ${Number(o[2]) + 1}: ${o[3] === 'label' ? 'name' : 'statement'}`;
  const q = /^q(\d+)_(\w+)$/.exec(field);
  if (q) {
    const names: Record<string, string> = {
      title: 'question',
      description: 'description',
      method: 'method',
      ...SETTING_NAMES,
      options: 'options',
    };
    return `Question ${Number(q[1]) + 1}: ${names[q[2]!] ?? q[2]}`;
  }
  return field;
}

const COMPARISON_FIELD_NAMES: Record<string, string> = {
  label: 'name',
  method: 'how delegates are shared out',
  seats: 'delegates in all',
  basis: 'shared by',
  rule: 'how delegates vote',
  table: 'numbers per branch or band table',
  extras: 'extra delegates',
  attendance: 'meeting attendance',
  affiliates: 'affiliated delegations',
  balance: 'balance within delegations',
  regions: 'regions',
  regionSeats: 'national delegates',
  regionVote: 'how a region votes nationally',
  seed: 'council seed',
  draw: 'how the council is drawn',
  procedure: 'how the conference decides',
  required: 'share required',
  sections: 'sections',
  mandates: "branch meetings' positions as mandates",
};

/** A comparison's schema path (below questions.i.comparisons.j) → its field's suffix. */
function comparisonField(path: ReadonlyArray<PropertyKey>): string {
  const [part, key] = path;
  if (part === 'label') return 'label';
  if (part === 'mandates') return 'mandates';
  if (part === 'procedure') return key === 'required' ? 'required' : key === 'sections' ? 'sections' : 'procedure';
  if (part === 'model') {
    if (key === 'numbers' || key === 'bands') return 'table';
    if (key === 'extras') return 'extras';
    if (key === 'attendance') return 'attendance';
    if (key === 'affiliates') return 'affiliates';
    if (key === 'balance') return 'balance';
    if (key === 'regions') return path[2] === 'seats' ? 'regionSeats' : path[2] === 'vote' ? 'regionVote' : 'regions';
    if (key === 'council') return 'seats';
    if (key === 'seed') return 'seed';
    if (key === 'stratified') return 'draw';
    if (key === 'seats' || key === 'basis' || key === 'rule') return key;
  }
  return 'method';
}

const DELEGATE_FIELD: Record<string, string> = {
  basis: 'del_basis',
  rule: 'del_rule',
  method: 'del_method',
  seats: 'del_seats',
  min: 'del_min',
  max: 'del_max',
  splitMethod: 'del_split',
  bands: 'del_bands',
};

/** The form field a schema path points at. */
export function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  const [a, b, c, d, e] = path;
  if (a === 'questions') {
    if (typeof b !== 'number') return 'questions';
    if (c === 'options')
      return typeof d === 'number' ? `q${b}_o${d}_${e === 'description' ? 'description' : 'label'}` : `q${b}_options`;
    if (c === 'settings') return d === undefined ? `q${b}_method` : `q${b}_${String(d)}`;
    if (c === 'comparisons')
      return typeof d === 'number' ? `q${b}_c${d}_${comparisonField(path.slice(4))}` : `q${b}_comparisons`;
    if (c === 'title' || c === 'description' || c === 'method') return `q${b}_${c}`;
    return `q${b}_title`;
  }
  if (a === 'delegates') {
    if (b === 'beyond') return c === 'every' ? 'del_beyond_every' : 'del_beyond_delegates';
    return DELEGATE_FIELD[String(b)] ?? 'del_method';
  }
  if (a === 'reminderHours') return 'reminderHours';
  if (a === 'mode') return `mode_${typeof b === 'string' && b !== 'kind' ? b : 'trustees'}`;
  if (a === 'eligibility') return b === 'joinedBefore' ? 'joinedBefore' : 'eligibleBranches';
  return typeof a === 'string' ? a : 'title';
}

type Parsed = { ok: true; input: BallotInput } | { ok: false; issues: FieldIssues };

function eligibility(state: BuilderState, issues: FieldIssues): { branches?: string[]; joinedBefore?: string } | null {
  const branches = [...new Set(state.eligibleBranches.map((b) => b.trim()).filter(Boolean))];
  let joinedBefore = state.joinedBefore.trim();
  if (joinedBefore) {
    // "05/12/2026" as the organiser writes it, or ISO.
    const read = readDate(joinedBefore, dateOrderOf(state.zone));
    if (read.ok) joinedBefore = isoDate(read.value);
    else addIssue(issues, 'joinedBefore', read.message);
  }
  if (!branches.length && !joinedBefore) return null;
  return { ...(branches.length ? { branches } : {}), ...(joinedBefore ? { joinedBefore } : {}) };
}

/** The state as API input, checked by the API's own schema; every problem named by its field. */
export function validate(state: BuilderState): Parsed {
  const issues: FieldIssues = new Map();
  const whole = (field: string, v: string): number | undefined => {
    const t = v.trim();
    if (t === '') return undefined;
    if (!/^-?\d+$/.test(t)) {
      addIssue(issues, field, 'Use a whole number');
      return undefined;
    }
    return Number(t);
  };
  if (!isTimeZone(state.zone)) addIssue(issues, 'zone', 'Choose a time zone from the list');
  const time = (field: 'opensAt' | 'closesAt'): string | undefined => {
    const r = localToIso(state[field], isTimeZone(state.zone) ? state.zone : 'UTC');
    if (!r.ok) {
      addIssue(issues, field, r.message);
      return undefined;
    }
    return r.iso;
  };
  const hours = state.reminderHours
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((h) => {
      if (!/^\d+$/.test(h))
        addIssue(issues, 'reminderHours', `"${h}" is not a whole number of hours: write numbers such as 72, 24`);
      return Number(h);
    });
  const questions = state.questions.map((q, i) => {
    const settings: Record<string, unknown> = {};
    for (const field of methodOf(q.method).fields) {
      const typed = q.settings[field.key] ?? '';
      if (field.input === 'choice') settings[field.key] = typed;
      else if (field.input === 'lines') {
        if (typed.trim()) {
          const parsed = field.parse(typed);
          if (parsed.ok) settings[field.key] = parsed.value;
          else addIssue(issues, `q${i}_${field.key}`, parsed.message);
        }
      } else if (field.input === 'fraction') {
        if (typed.trim()) settings[field.key] = typed.trim();
      } else {
        const n = whole(`q${i}_${field.key}`, typed);
        if (n !== undefined) settings[field.key] = n;
      }
    }
    // Rows left wholly blank are not options: a spare row does not need deleting.
    const options = q.options.filter((o) => o.label.trim() || o.description.trim());
    return {
      title: q.title,
      description: q.description,
      method: q.method,
      settings,
      ...(methodOf(q.method).motion
        ? {}
        : { options: options.map((o) => ({ label: o.label, description: o.description })) }),
      ...(q.comparisons.length
        ? { comparisons: q.comparisons.map((c, j) => comparisonInput(c, `q${i}_c${j}`, issues)) }
        : {}),
      // Issues on options refer to positions among the rows the organiser sees.
      _rows: q.options.map((o, k) => (o.label.trim() || o.description.trim() ? k : -1)).filter((k) => k >= 0),
    };
  });
  let delegates: unknown = null;
  const d = state.delegates;
  if (d.enabled) {
    const common: Record<string, unknown> = { basis: d.basis, rule: d.rule };
    const min = whole('del_min', d.min);
    const max = whole('del_max', d.max);
    if (min !== undefined) common.min = min;
    if (max !== undefined) common.max = max;
    if (d.split) common.splitMethod = d.split;
    if (d.method === 'bands') {
      const bands = d.bands
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .map((line) => {
          const m = /^(\d+)\s*[\s:,;=]\s*(\d+)$/.exec(line);
          if (!m) {
            addIssue(issues, 'del_bands', `"${line}" is not "members delegates", e.g. "100 1"`);
            return null;
          }
          return { upTo: Number(m[1]), delegates: Number(m[2]) };
        })
        .filter((b) => b !== null);
      const every = whole('del_beyond_every', d.beyondEvery);
      const more = whole('del_beyond_delegates', d.beyondDelegates);
      delegates = {
        ...common,
        method: 'bands',
        bands,
        ...(every !== undefined || more !== undefined
          ? { beyond: { every, delegates: more, ...(d.beyondOrPart ? { orPart: true } : {}) } }
          : {}),
      };
    } else {
      delegates = { ...common, method: d.method, seats: whole('del_seats', d.seats) };
    }
  }
  const opensAt = time('opensAt');
  const closesAt = time('closesAt');
  const k = whole('k', state.k);
  const input = {
    title: state.title,
    description: state.description,
    opensAt,
    closesAt,
    questions: questions.map(({ _rows, ...q }) => q),
    ...(k !== undefined ? { k } : {}),
    receiptPolicy: state.receiptPolicy,
    voterListVisible: state.voterListVisible,
    reminderHours: hours,
    delegates,
    eligibility: eligibility(state, issues),
    randomiseOptions: state.randomiseOptions,
    mode:
      state.mode === 'verifiable'
        ? {
            kind: 'verifiable',
            trustees: whole('mode_trustees', state.trustees),
            threshold: whole('mode_threshold', state.threshold),
            credentialAuthority: state.credentialAuthority,
            revoting: state.revoting,
          }
        : OFFICE_MODE,
    ...(isTimeZone(state.zone) ? { timeZone: state.zone } : {}),
  };
  const parsed = ballotInputSchema.safeParse(input);
  if (parsed.success && issues.size === 0) return { ok: true, input: parsed.data };
  // Fields already refused for their form ("not a whole number") need no second message.
  const refusedAlready = new Set(issues.keys());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // A model is a union by its method: the issues of the branch the organiser chose.
      const modelMethod =
        issue.path[0] === 'delegates'
          ? d.method
          : issue.path[2] === 'comparisons' && issue.path[4] === 'model'
            ? state.questions[issue.path[1] as number]?.comparisons[issue.path[3] as number]?.method
            : undefined;
      const nested =
        issue.code === 'invalid_union' && modelMethod !== undefined
          ? ((issue as unknown as { errors: Array<Array<{ path: PropertyKey[]; message: string }>> }).errors[
              modelMethod === 'bands' ? 1 : modelMethod === 'fixed' ? 2 : 0
            ] ?? [])
          : [{ path: [], message: issue.message }];
      for (const sub of nested) {
        const path = [...issue.path, ...sub.path];
        // An option's position among the non-blank rows → its row on the page.
        if (
          path[0] === 'questions' &&
          typeof path[1] === 'number' &&
          path[2] === 'options' &&
          typeof path[3] === 'number'
        ) {
          path[3] = questions[path[1]]?._rows[path[3]] ?? path[3];
        }
        const field = fieldOf(path);
        if (!refusedAlready.has(field)) addIssue(issues, field, sub.message);
      }
    }
  }
  return { ok: false, issues };
}

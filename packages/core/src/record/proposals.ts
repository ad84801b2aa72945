import { z } from 'zod';
import type { AuditEntry } from '../domain/audit';
import { type Question, YES_NO_OPTIONS } from '../domain/ballot';
import { poolBranches } from '../domain/pooling';
import { type AgendaSettings, unionOfVersions, type VersionsSettings } from '../domain/amendments';
import { CASE_AGAINST_TITLE, qualifies, type Threshold, VARIANT_WORDS } from '../domain/proposals';
import { sha256Hex } from '../crypto/hash';
import { canonicalJson } from './canonical';

/**
 * The member proposals of a ballot in its election record (the `proposals` section,
 * docs/election-record.md), and check V22, which holds the section against the
 * hash-chained audit log and the ballot's questions. For each member proposal on the
 * ballot: its wording and the wording's hash, the rules version and the threshold fixed at
 * start, its window, when it qualified and with what support (per branch, branches under
 * the rules' k pooled: never who signed), its schedule deadline and when it was scheduled,
 * the case for and the case against with their authors' side, and the amendments on the
 * ballot with their own wording hashes and support.
 */

/** A unit of support: a branch, or branches pooled under k (published only as a whole). */
export type SupportUnit = { name: string; branches: string[]; supporters: number; pooled: boolean };

/** The support a proposal qualified with, as it stood at the qualifying signature. */
export type QualifiedSupport = {
  /** The rules' k: a branch with fewer supporters is pooled. */
  k: number;
  supporters: number;
  /** Branches with at least one supporter. */
  branches: number;
  /** By unit name (UTF-16 code units), as poolBranches gives them. */
  byBranch: SupportUnit[];
};

export type ProposalKind = 'motion' | 'question' | 'amendment' | 'against';

/** What every proposal in the section states: a proposal, an amendment and a members' case against alike. */
export type RecordProposalCore = {
  id: string;
  kind: ProposalKind;
  title: string;
  text: string;
  options: string[] | null;
  /** SHA-256 (hex) of the UTF-8 of JSON `[kind, title, text, options]`: the hash the log's entries hold. */
  wordingHash: string;
  /** The version of the rules it started under (the subject of their `proposal-rules.set` entry). */
  rules: string;
  /** The threshold fixed when it started. */
  needs: Threshold;
  /** Its window: ISO 8601, UTC, milliseconds. */
  startedAt: string;
  closesAt: string;
  qualifiedAt: string;
  /** Null for a proposal that qualified before the support per branch was kept. */
  support: QualifiedSupport | null;
};

export type RecordAmendment = RecordProposalCore & {
  kind: 'amendment';
  /** The branch that tabled it through its secretary; null when a member did. */
  tabledBy: string | null;
};

export type StatementAuthor = 'proposers' | 'office' | 'members';

export type RecordStatement = {
  author: StatementAuthor;
  text: string;
  /** SHA-256 (hex) of the text's UTF-8. */
  textHash: string;
  /** The members' case against: the proposal of kind `against` that qualified first. */
  proposal?: RecordProposalCore;
};

export type RecordProposal = RecordProposalCore & {
  kind: 'motion' | 'question';
  /** The ballot's question it became. */
  questionId: string;
  /** The date the office had to put it on a ballot by. */
  scheduleBy: string | null;
  scheduledAt: string;
  /** Scheduled after its date. */
  late: boolean;
  /** When its amendment period closed (null: it took none). */
  amendmentsCloseAt: string | null;
  /** The amendments on the ballot with it, in the order of its options. */
  amendments: RecordAmendment[];
  statements: { for: RecordStatement | null; against: RecordStatement | null };
};

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const whole = z.number().int().min(0);

const supportSchema = z.object({
  k: z.number().int().min(1),
  supporters: whole,
  branches: whole,
  byBranch: z.array(
    z.object({ name: z.string(), branches: z.array(z.string()).min(1), supporters: whole, pooled: z.boolean() }),
  ),
});

const coreShape = {
  id: z.string().min(1),
  title: z.string(),
  text: z.string(),
  options: z.array(z.string()).nullable(),
  wordingHash: hex64,
  rules: z.string(),
  needs: z.object({
    supporters: whole.nullable(),
    branches: whole.nullable(),
    combine: z.enum(['either', 'both']),
  }),
  startedAt: instant,
  closesAt: instant,
  qualifiedAt: instant,
  support: supportSchema.nullable(),
};

const statementSchema = z.object({
  author: z.enum(['proposers', 'office', 'members']),
  text: z.string(),
  textHash: hex64,
  proposal: z.object({ ...coreShape, kind: z.literal('against') }).optional(),
});

/** The section's shape, for V1 (a record without it is one made before it was kept). */
export const proposalsSectionSchema = z.array(
  z.object({
    ...coreShape,
    kind: z.enum(['motion', 'question']),
    questionId: z.string(),
    scheduleBy: instant.nullable(),
    scheduledAt: instant,
    late: z.boolean(),
    amendmentsCloseAt: instant.nullable(),
    amendments: z.array(z.object({ ...coreShape, kind: z.literal('amendment'), tabledBy: z.string().nullable() })),
    statements: z.object({ for: statementSchema.nullable(), against: statementSchema.nullable() }),
  }),
);

/** The wording's hash as the log's entries hold it (services/proposals.ts, wordingHash). */
export const wordingHashOf = (p: Pick<RecordProposalCore, 'kind' | 'title' | 'text' | 'options'>): string =>
  sha256Hex(JSON.stringify([p.kind, p.title, p.text, p.options]));

export const textHashOf = (text: string): string => sha256Hex(text);

/** Supporters per branch as they may be published: branches without any left out, those under k pooled. */
export function pooledSupport(
  counts: ReadonlyArray<{ branch: string; supporters: number }>,
  k: number,
): QualifiedSupport {
  const signed = counts.filter((c) => c.supporters > 0);
  const by = new Map(signed.map((c) => [c.branch, c.supporters]));
  const byBranch = poolBranches(
    signed.map((c) => ({ branch: c.branch, voters: c.supporters })),
    k,
  ).map((u) => ({
    name: u.name,
    branches: u.branches,
    supporters: u.branches.reduce((n, b) => n + (by.get(b) ?? 0), 0),
    pooled: u.pooled,
  }));
  return { k, supporters: signed.reduce((n, c) => n + c.supporters, 0), branches: signed.length, byBranch };
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const supportersIn = (supporters: number, branches: number) =>
  `${count(supporters, 'supporter')} in ${count(branches, 'branch', 'branches')}`;

/** What is wrong with a support's own figures: its units add up, and pool exactly as k says they may. */
function supportProblems(s: QualifiedSupport): string[] {
  const problems: string[] = [];
  const total = s.byBranch.reduce((n, u) => n + u.supporters, 0);
  if (total !== s.supporters)
    problems.push(`its support per branch adds up to ${count(total, 'supporter')}, not the ${s.supporters} stated`);
  const names = s.byBranch.flatMap((u) => u.branches);
  if (new Set(names).size !== names.length) problems.push('a branch is counted in two units of its support');
  if (names.length !== s.branches)
    problems.push(
      `its support per branch names ${count(names.length, 'branch', 'branches')}, not the ${s.branches} stated`,
    );
  const alone = s.byBranch.filter((u) => !u.pooled);
  const pools = s.byBranch.filter((u) => u.pooled);
  for (const u of alone) {
    if (u.branches.length !== 1 || u.name !== u.branches[0])
      problems.push(`its support unit "${u.name}" is not pooled but is not one branch of that name`);
    else if (u.supporters < s.k)
      problems.push(`branch ${u.name}: ${count(u.supporters, 'supporter')}, under k = ${s.k}, published on its own`);
  }
  if (pools.length > 1) problems.push(`its support has ${pools.length} pools, not one`);
  for (const u of pools) {
    const sorted = [...u.branches].sort();
    if (u.name !== `Pooled: ${sorted.join(', ')}`) problems.push(`its pool "${u.name}" does not name its branches`);
    if (u.supporters < u.branches.length) problems.push(`its pool "${u.name}" has a branch without a supporter`);
    // A pool tops up from the smallest other branches until it holds k supporters in two branches, if it can.
    if ((u.supporters < s.k || u.branches.length < 2) && alone.length > 0)
      problems.push(
        `its pool "${u.name}" (${supportersIn(u.supporters, u.branches.length)}) should have taken in the smallest branch published on its own`,
      );
  }
  return problems;
}

const timeOf = (s: unknown) => (typeof s === 'string' ? Date.parse(s) : Number.NaN);
const sameTime = (a: unknown, b: unknown) =>
  (a === null || a === undefined) && (b === null || b === undefined) ? true : timeOf(a) === timeOf(b);
const DAY = 86_400_000;
/** A window of N days may differ from N × 24 hours by a change of the clocks, where the database's zone has one. */
const CLOCK_CHANGE = 3_600_000;

type Rules = {
  k?: number;
  windowDays?: number;
  combine?: string;
  minBranches?: number | null;
  sharePercent?: number | null;
};

/**
 * V22: the record's proposals section against the log and the ballot. `null` when the check
 * does not apply: no section, and nothing in the log says one should be there (the log's
 * entries for the ballot's proposals were made before the section was kept).
 */
export function proposalSectionProblems(
  ballot: { id: string; questions: Question[] },
  log: readonly AuditEntry[],
  section: readonly RecordProposal[] | undefined,
): { proposals: number; amendments: number; problems: string[] } | null {
  const scheduled = log.filter((e) => e.action === 'proposal.schedule' && e.details.ballotId === ballot.id);
  const first = (action: string, subject: string) => log.find((e) => e.action === action && e.subject === subject);
  if (!section) {
    // Entries made since the section is kept: a qualify entry states the support per branch.
    const kept = scheduled.some((s) => first('proposal.qualify', String(s.subject))?.details.byBranch !== undefined);
    if (!kept) return null;
    return {
      proposals: 0,
      amendments: 0,
      problems: [
        `the record has no proposals section, but ${scheduled.length === 1 ? 'a member proposal was' : `${scheduled.length} member proposals were`} scheduled on this ballot by a server that keeps one`,
      ],
    };
  }
  const problems: string[] = [];
  const opened = log.find((e) => e.action === 'ballot.open' && e.subject === ballot.id);
  const beforeOpen = (e: AuditEntry) => opened === undefined || e.position < opened.position;
  const rulesOf = (id: string) =>
    log.find((e) => e.action === 'proposal-rules.set' && e.subject === id)?.details.after as Rules | undefined;

  /** The checks every proposal of the section takes, from its start to its qualification. */
  const checkCore = (p: RecordProposalCore, say: (s: string) => void, link?: { key: string; parent: string }) => {
    if (wordingHashOf(p) !== p.wordingHash) say('its wording does not hash to its wordingHash');
    const start = first('proposal.start', p.id);
    if (!start) say('the log has no proposal.start entry for it');
    else {
      if (start.details.wordingHash !== p.wordingHash)
        say(`its wording is not the wording started (entry ${start.position})`);
      if (start.details.rules !== p.rules)
        say(`it started under the rules ${String(start.details.rules)} (entry ${start.position}), not ${p.rules}`);
      if (canonicalJson(start.details.needs ?? null) !== canonicalJson(p.needs))
        say(
          `its threshold ${canonicalJson(p.needs)} is not the one fixed at start (entry ${start.position}: ${canonicalJson(start.details.needs ?? null)})`,
        );
      if (link && start.details[link.key] !== link.parent)
        say(`its proposal.start entry (${start.position}) does not answer proposal ${link.parent}`);
    }
    const rules = rulesOf(p.rules);
    if (!rules) say(`the log has no proposal-rules.set entry for its rules ${p.rules}`);
    else {
      if (
        p.needs.combine !== rules.combine ||
        p.needs.branches !== (rules.minBranches ?? null) ||
        (p.needs.supporters === null) !== (rules.sharePercent === null || rules.sharePercent === undefined)
      )
        say(`its threshold ${canonicalJson(p.needs)} is not what its rules set`);
      const length = timeOf(p.closesAt) - timeOf(p.startedAt);
      if (rules.windowDays !== undefined && !(length <= rules.windowDays * DAY + CLOCK_CHANGE && length > 0))
        say(`its window (${p.startedAt} to ${p.closesAt}) is not within the ${rules.windowDays} days its rules give`);
      if (p.support && rules.k !== undefined && p.support.k !== rules.k)
        say(`its support is pooled under k = ${p.support.k}, its rules' k is ${rules.k}`);
    }
    if (!(timeOf(p.qualifiedAt) >= timeOf(p.startedAt) && timeOf(p.qualifiedAt) < timeOf(p.closesAt)))
      say(`it qualified at ${p.qualifiedAt}, outside its window`);
    const qualify = first('proposal.qualify', p.id);
    if (!qualify) {
      say('the log has no proposal.qualify entry for it');
      return undefined;
    }
    const d = qualify.details;
    const support = { supporters: Number(d.supporters), branches: Number(d.branches) };
    if (p.support) {
      if (p.support.supporters !== support.supporters || p.support.branches !== support.branches)
        say(
          `its support (${supportersIn(p.support.supporters, p.support.branches)}) is not what it qualified with (entry ${qualify.position}: ${support.supporters} in ${support.branches})`,
        );
      if (d.byBranch !== undefined && canonicalJson(d.byBranch) !== canonicalJson(p.support.byBranch))
        say(`its support per branch is not the one its qualify entry (${qualify.position}) states`);
      if (d.k !== undefined && d.k !== p.support.k)
        say(
          `its support is pooled under k = ${p.support.k}, its qualify entry (${qualify.position}) says ${String(d.k)}`,
        );
      for (const s of supportProblems(p.support)) say(s);
    } else if (d.byBranch !== undefined)
      say(`its support per branch is missing, but its qualify entry (${qualify.position}) states it`);
    const stated = p.support ?? support;
    if (!qualifies(p.needs, stated))
      say(`its support (${supportersIn(stated.supporters, stated.branches)}) falls short of its threshold`);
    if (d.qualifiedAt !== undefined && !sameTime(d.qualifiedAt, p.qualifiedAt))
      say(`it qualified at ${p.qualifiedAt}, its qualify entry (${qualify.position}) says ${String(d.qualifiedAt)}`);
    return qualify;
  };

  let amendmentCount = 0;
  for (const p of section) {
    const name = `proposal "${p.title}" (${p.id})`;
    const say = (s: string) => problems.push(`${name}: ${s}`);
    const schedule = scheduled.filter((e) => e.subject === p.id).at(-1);
    if (!schedule) say('the log does not schedule it on this ballot');
    const qualify = checkCore(p, say);
    if (qualify && schedule && qualify.position > schedule.position) say('it was scheduled before it qualified');
    if (qualify && !sameTime(qualify.details.scheduleBy ?? null, p.scheduleBy))
      say(
        `its schedule deadline ${String(p.scheduleBy)} is not the one set when it qualified (entry ${qualify.position})`,
      );
    const late = p.scheduleBy !== null && timeOf(p.scheduledAt) > timeOf(p.scheduleBy);
    if (p.late !== late)
      say(
        `it is said ${p.late ? '' : 'not '}to be late, but was scheduled ${p.scheduledAt}, its deadline ${String(p.scheduleBy)}`,
      );
    if (schedule) {
      if (schedule.details.wordingHash !== p.wordingHash)
        say(`its wording is not the wording scheduled (entry ${schedule.position})`);
      if (schedule.details.scheduledAt !== undefined && !sameTime(schedule.details.scheduledAt, p.scheduledAt))
        say(
          `it was scheduled at ${String(schedule.details.scheduledAt)} (entry ${schedule.position}), not ${p.scheduledAt}`,
        );
      if (timeOf(p.scheduledAt) > timeOf(schedule.at))
        say(`it is said to be scheduled at ${p.scheduledAt}, after its log entry (${schedule.at})`);
    }

    // The amendments: those tabled to it that qualified before it was scheduled, with their wording.
    amendmentCount += p.amendments.length;
    const tabled = log
      .filter((e) => e.action === 'proposal.start' && e.details.amends === p.id)
      .map((e) => String(e.subject))
      .filter((id) => {
        const q = first('proposal.qualify', id);
        return q !== undefined && (!schedule || q.position < schedule.position);
      });
    const ids = p.amendments.map((a) => a.id);
    if (canonicalJson([...ids].sort()) !== canonicalJson([...tabled].sort()))
      say(
        `its amendments on the ballot (${ids.join(', ') || 'none'}) are not the ones tabled and qualified in the log (${tabled.join(', ') || 'none'})`,
      );
    if (schedule) {
      const listed = (schedule.details.amendments ?? []) as Array<{ id?: unknown; wordingHash?: unknown }>;
      const want = p.amendments.map((a) => ({ id: a.id, wordingHash: a.wordingHash }));
      if (canonicalJson(listed.map((a) => ({ id: a.id, wordingHash: a.wordingHash }))) !== canonicalJson(want))
        say(`its amendments are not the ones scheduled with it, by their wording hashes (entry ${schedule.position})`);
    }
    p.amendments.forEach((a, i) =>
      checkCore(a, (s) => say(`amendment ${i + 1} "${a.title}" (${a.id}): ${s}`), { key: 'amends', parent: p.id }),
    );

    // The ballot's question is its wording, unchanged.
    const q = ballot.questions.find((x) => x.id === p.questionId);
    if (!q) say(`the ballot has no question ${p.questionId}`);
    else {
      const qn = `question ${q.position + 1} "${q.title}"`;
      if (q.title !== p.title) say(`${qn}: its title is not the proposal's`);
      if (q.description !== p.text) say(`${qn}: its text is not the proposal's`);
      // An amended question: the question ranks every version's options, and the version question stands before it.
      const amendedQuestion = p.kind === 'question' && p.amendments.length > 0;
      const union = unionOfVersions([p.options ?? [], ...p.amendments.map((a) => a.options ?? [])]);
      if (amendedQuestion) checkVersionQuestion(ballot.questions, p, union.positions, say);
      const want = amendedQuestion
        ? union.union.map((o) => [o, null])
        : p.amendments.length > 0
          ? [
              [VARIANT_WORDS.original, VARIANT_WORDS.originalDescription],
              ...p.amendments.map((a, i) => [VARIANT_WORDS.amendment(i + 1, a.title), a.text]),
              [VARIANT_WORDS.rejection, VARIANT_WORDS.rejectionDescription],
            ]
          : p.kind === 'motion'
            ? YES_NO_OPTIONS.map((o) => [o.label, null])
            : (p.options ?? []).map((o) => [o, null]);
      const method = amendedQuestion
        ? 'irv'
        : p.amendments.length > 0
          ? 'schulze'
          : p.kind === 'motion'
            ? 'yesno'
            : 'plurality';
      if (q.method !== method) say(`${qn}: its method is ${q.method}, not ${method}`);
      const got = q.options.map((o, i) => [o.label, want[i]?.[1] === null ? null : o.description]);
      if (canonicalJson(got.map((o) => o[0])) !== canonicalJson(want.map((o) => o[0])))
        say(`${qn}: its options (${q.options.map((o) => o.label).join(', ')}) are not the proposal's`);
      else
        got.forEach((o, i) => {
          if (o[1] !== want[i]![1]) say(`${qn}: option ${i + 1} "${o[0]}" is not the text tabled`);
        });
    }

    // The statements: the proposers' case for, and the case against, the office's or the members' who qualified first.
    const { for: caseFor, against } = p.statements;
    for (const [side, s] of [
      ['for', caseFor],
      ['against', against],
    ] as const) {
      if (s && textHashOf(s.text) !== s.textHash) say(`the case ${side}: its text does not hash to its textHash`);
    }
    if (caseFor && caseFor.author !== 'proposers')
      say(`the case for is said to be written by the ${caseFor.author}, not its proposers`);
    const lastFor = log.filter((e) => e.action === 'proposal.case-for' && e.subject === p.id && beforeOpen(e)).at(-1);
    if (lastFor && lastFor.details.textHash !== caseFor?.textHash)
      say(`the case for is not the one its proposers last wrote (entry ${lastFor.position})`);
    if (!lastFor && caseFor) say('the log has no entry of its proposers writing the case for');
    const againstQualified = log
      .filter(
        (e) =>
          e.action === 'proposal.qualify' &&
          beforeOpen(e) &&
          first('proposal.start', String(e.subject))?.details.against === p.id,
      )
      .at(0);
    if (against?.author === 'proposers') say('the case against is said to be written by its proposers');
    if (against?.author === 'members') {
      const c = against.proposal;
      if (!c) say("the members' case against does not say which proposal it is");
      else {
        const sayAgainst = (s: string) => say(`the members' case against (${c.id}): ${s}`);
        if (c.text !== against.text || c.title !== CASE_AGAINST_TITLE || c.kind !== 'against')
          sayAgainst('its wording is not the statement shown');
        checkCore(c, sayAgainst, { key: 'against', parent: p.id });
        if (againstQualified && againstQualified.subject !== c.id)
          sayAgainst(
            `it is not the first to qualify: proposal ${String(againstQualified.subject)} did (entry ${againstQualified.position})`,
          );
        if (!againstQualified) sayAgainst('it did not qualify before the ballot opened');
      }
    } else if (againstQualified)
      say(
        `the members' case against (${String(againstQualified.subject)}) qualified (entry ${againstQualified.position}) before the ballot opened, but the record shows ${against ? "the office's" : 'none'}`,
      );
    // Fixed at open: the statements on the ballot, by their hashes.
    const fixed = log.find((e) => e.action === 'ballot.statements' && e.subject === ballot.id);
    if (fixed) {
      const onBallot = ((fixed.details.statements ?? []) as Array<Record<string, unknown>>).filter(
        (s) => s.questionId === p.questionId,
      );
      for (const [side, s] of [
        ['for', caseFor],
        ['against', against],
      ] as const) {
        const o = onBallot.find((x) => x.side === side);
        if ((o?.textHash ?? null) !== (s?.textHash ?? null) || (o && o.author !== s?.author))
          say(`the case ${side} is not the one on the ballot when it opened (entry ${fixed.position})`);
      }
    }
  }
  // Every proposal the log schedules on the ballot is in the section.
  for (const s of scheduled)
    if (!section.some((p) => p.id === s.subject))
      problems.push(
        `proposal ${String(s.subject)}: scheduled on this ballot (entry ${s.position}), missing from the proposals section`,
      );
  return { proposals: section.length, amendments: amendmentCount, problems };
}

/**
 * An amended question's version question: "Which version of the question: …", Schulze, its
 * options the question as proposed and each amendment in order, each described by its text
 * and options word for word, its agenda over them; and the question's own settings naming
 * it, with each version's options.
 */
function checkVersionQuestion(
  questions: readonly Question[],
  p: RecordProposal,
  positions: number[][],
  say: (s: string) => void,
): void {
  const title = VARIANT_WORDS.versionQuestion(p.title);
  const vq = questions.find((q) => q.title === title);
  if (!vq) return say(`the ballot has no question "${title}"`);
  const qn = `question ${vq.position + 1} "${vq.title}"`;
  if (vq.method !== 'schulze') say(`${qn}: its method is ${vq.method}, not schulze`);
  const want = [
    [VARIANT_WORDS.originalQuestion, VARIANT_WORDS.versionOptions(p.text, p.options ?? [])],
    ...p.amendments.map((a, i) => [
      VARIANT_WORDS.amendment(i + 1, a.title),
      VARIANT_WORDS.versionOptions(a.text, a.options ?? []),
    ]),
  ];
  const got = vq.options.map((o) => [o.label, o.description]);
  if (canonicalJson(got) !== canonicalJson(want))
    say(`${qn}: its versions are not the question and its amendments as tabled`);
  const agenda = (vq.settings as { agenda?: AgendaSettings }).agenda;
  if (!agenda || agenda.original !== 0 || agenda.rejection !== null)
    say(`${qn}: it does not declare the agenda over the versions`);
  const q = questions.find((x) => x.id === p.questionId);
  const versions = (q?.settings as { versions?: VersionsSettings } | undefined)?.versions;
  if (q && (versions?.question !== title || canonicalJson(versions.options) !== canonicalJson(positions)))
    say(`question ${q.position + 1} "${q.title}": its versions are not those of the question and its amendments`);
}

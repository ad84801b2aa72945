import { z } from 'zod';
import { auditEntrySchema, checkAuditChain } from '../domain/audit';
import {
  answerProblem,
  answerSchema,
  delegateSettingsSchema,
  type Question,
  StoredQuestionError,
  YES_NO_OPTIONS,
  type StoredVote,
  storedQuestion,
} from '../domain/ballot';
import { METHODS, methodOf } from '../methods/index';
import { poolBranches } from '../domain/pooling';
import { cmp, parseRational, ZERO } from '../tally/rational';
import { canonicalJson } from './canonical';
import { chainProblems } from './chain';
import {
  addDecimals,
  boxRoot,
  type BranchElectorate,
  definitionHash,
  electorateHash,
  electorateOf,
  normaliseDecimal,
  OPEN_COMMITMENT,
  tokensRoot,
} from './commitments';
import type { QuestionResult } from '../domain/count';
import {
  byCodeUnits,
  countRecordQuestion,
  type ElectionRecord,
  inFormat,
  RECORD_FORMATS,
  storedResults,
} from './record';
import type { AuditEntry } from '../domain/audit';
import { isVerifiableRecord, type VerifiableRecord, verifyVerifiableRecord } from './verifiable';
import { nominationProblems } from './nominations';
import { sha256Hex } from '../crypto/hash';
import { qualifies, type Threshold } from '../domain/proposals';
import type { VersionsSettings } from '../domain/amendments';
import { proposalSectionProblems, proposalsSectionSchema, type RecordProposal } from './proposals';

/**
 * `omov verify`'s core: an election record in, a list of checks with verdicts out. Pure
 * (no I/O): it trusts nothing but the record itself, and re-derives everything it can —
 * the Merkle root from the votes, the voting units from the turnout, every count from
 * the votes with the very code the server counted with.
 */

export type Verdict = 'PASS' | 'FAIL';

export type Check = {
  /** The check's stable number, as listed in docs/election-record.md: V1, V2, …; V9.n is question n's count. */
  id: string;
  name: string;
  verdict: Verdict;
  /** One line: what was checked and found. */
  summary: string;
  /** What is wrong, naming the vote (by receipt), question, unit or audit entry at fault. */
  problems: string[];
};

export type Verification = {
  ok: boolean;
  /** The record is not one at all (wrong format or shape): nothing else could be checked. */
  malformed: boolean;
  ballot: { id: string; title: string } | null;
  checks: Check[];
};

/**
 * Every check's number by its name, as docs/election-record.md lists them (ElectionGuard's
 * verifier numbers its checks the same way). Numbers are never reused: a new check gets a new one.
 * The count of question n is V9.n.
 */
export const CHECK_IDS = {
  format: 'V1',
  votes: 'V2',
  receipts: 'V3',
  'box root': 'V4',
  'expected root': 'V5',
  turnout: 'V6',
  units: 'V7',
  'results hash': 'V8',
  'count: results': 'V9',
  'audit log': 'V10',
  'audit log: the close': 'V11',
  'expected close entry': 'V12',
  'commitment: definition': 'V13',
  'commitment: electorate': 'V14',
  'commitment: tokens': 'V15',
  'expected open entry': 'V16',
  'box chain': 'V17',
  // A verifiable ballot's record (./verifiable.ts) has these two, and V1, V8, V9.n, V10, V20 to V22 and V23.
  archive: 'V18',
  'commitment: archive': 'V19',
  // A ballot carrying an election with nominations (./nominations.ts).
  nominations: 'V20',
  // A ballot carrying a member proposal (checkProposals).
  'member proposals': 'V21',
  // The record's proposals section (./proposals.ts).
  'proposals section': 'V22',
  // A verifiable ballot's pools of branches and their decryptions (./verifiable-branches.ts).
  'branch figures': 'V23',
} as const;

type CheckName = keyof typeof CHECK_IDS;
/** A check before it is numbered: the count checks carry their own number (V9.n). */
type Unnumbered = Omit<Check, 'id' | 'name'> & ({ name: CheckName; id?: never } | { name: string; id: string });

/** Lists at most this many problems per check (the count of the rest is given). */
const MAX_PROBLEMS = 25;

const whole = z.number().int().min(0);
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time');

const questionSchema = z.object({
  id: z.string().min(1),
  position: whole,
  title: z.string(),
  description: z.string(),
  method: z.enum(METHODS as [Question['method'], ...Question['method'][]]),
  settings: z.record(z.string(), z.unknown()),
  options: z.array(z.object({ id: z.string().min(1), position: whole, label: z.string(), description: z.string() })),
});

/** The shape of the whole record. Votes are checked one by one later, so each fault is named. */
const recordSchema = z.object({
  format: z.enum(RECORD_FORMATS, {
    error: `not an election record of format ${RECORD_FORMATS.slice(0, -1)
      .map((f) => `"${f}"`)
      .join(', ')} or "${RECORD_FORMATS.at(-1)}"`,
  }),
  ballot: z.object({
    id: z.string().min(1),
    title: z.string(),
    description: z.string(),
    opensAt: instant,
    closesAt: instant,
    openedAt: instant.nullable(),
    closedAt: instant.nullable(),
    // Records made before the zone was kept have none.
    timeZone: z.string().optional(),
    k: z.number().int().min(1).max(1000),
    receiptPolicy: z.enum(['inclusion', 'choices']),
    voterListVisible: z.boolean(),
    questions: z.array(questionSchema).min(1),
    delegates: delegateSettingsSchema.nullable(),
  }),
  electorate: z.object({
    eligible: whole,
    voted: whole,
    byBranch: z.array(
      z.object({
        branch: z.string(),
        eligible: whole,
        voted: whole,
        weight: z
          .string()
          .regex(/^\d+(\.\d+)?$/, 'a decimal number')
          .optional(),
      }),
    ),
  }),
  units: z.array(
    z.object({
      name: z.string(),
      branches: z.array(z.string()),
      pooled: z.boolean(),
      members: whole,
      electorate: whole,
      parts: z.array(z.object({ branch: z.string(), members: whole, electorate: whole })).optional(),
    }),
  ),
  votes: z.array(z.unknown()),
  receipts: z.object({ policy: z.enum(['inclusion', 'choices']), codes: z.array(z.string()) }),
  boxRoot: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  // Records made before the commitments were kept have none.
  tokens: z
    .object({
      atOpen: z.array(z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')),
      later: z.array(z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')),
      used: z.array(z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')),
    })
    .optional(),
  // Records of ballots opened before the box's chain was kept have none.
  chain: z
    .object({
      elements: z.array(z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')),
      checkpoints: z.array(
        z.object({
          count: whole,
          head: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
          signature: z.string().regex(/^[0-9a-f]{128}$/, '128 lowercase hex digits'),
        }),
      ),
    })
    .optional(),
  results: z.array(z.object({ id: z.string() }).loose()),
  // Records made before results were stored at close have none.
  resultsHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')
    .optional(),
  auditLog: z.array(auditEntrySchema),
  // Records made before the section was kept, and of ballots without member proposals, have none.
  proposals: proposalsSectionSchema.optional(),
});

const voteSchema = z.strictObject({
  unit: z.string(),
  weight: z.string(),
  // Under `inclusion` a vote carries none (checked by the receipts check).
  receipt: z.string().min(1).optional(),
  answers: z.record(z.string(), z.unknown()),
});

const pass = (name: CheckName, summary: string): Unnumbered => ({ name, verdict: 'PASS', summary, problems: [] });
const judge = (name: CheckName, problems: string[], passSummary: string, failSummary: string): Unnumbered =>
  problems.length
    ? { name, verdict: 'FAIL', summary: failSummary, problems: capped(problems) }
    : pass(name, passSummary);

function capped(problems: string[]): string[] {
  return problems.length <= MAX_PROBLEMS
    ? problems
    : [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more`];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const show = (v: unknown) => {
  const s = v === undefined ? '(absent)' : canonicalJson(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
};
const questionName = (q: Question) => `question ${q.position + 1} "${q.title}"`;
/** A vote as the auditor can find it: by its receipt code. */
const voteName = (v: unknown, i: number) => {
  const r = (v as { receipt?: unknown } | null)?.receipt;
  return typeof r === 'string' && r !== '' ? `vote ${r}` : `vote #${i + 1}`;
};

function checkFormat(data: unknown): { check: Unnumbered; record: ElectionRecord | null } {
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(the file)'}: ${i.message}`);
    return {
      check: {
        name: 'format',
        verdict: 'FAIL',
        summary: 'this is not a well-formed election record',
        problems: capped(problems),
      },
      record: null,
    };
  }
  // Checks go on with the record as written (the schema only says its shape is right),
  // each question's settings read by its method, as the server reads them.
  const written = data as ElectionRecord;
  const problems: string[] = [];
  const qs = written.ballot.questions.map((q) => {
    try {
      return storedQuestion(q);
    } catch (err) {
      if (!(err instanceof StoredQuestionError)) throw err;
      problems.push(err.message);
      return q;
    }
  });
  const record: ElectionRecord = { ...written, ballot: { ...written.ballot, questions: qs } };
  if (new Set(qs.map((q) => q.id)).size !== qs.length) problems.push('ballot.questions: two questions share an id');
  qs.forEach((q, i) => {
    if (q.position !== i)
      problems.push(`ballot.questions.${i}: position is ${q.position}, expected ${i} (questions are listed in order)`);
    q.options.forEach((o, j) => {
      if (o.position !== j) problems.push(`${questionName(q)}: option ${j} has position ${o.position}`);
    });
    const motion = methodOf(q.method).motion === true;
    if (!motion && q.options.length < 2) problems.push(`${questionName(q)}: fewer than 2 options`);
    if (motion && q.options.map((o) => o.label).join('|') !== YES_NO_OPTIONS.map((o) => o.label).join('|'))
      problems.push(`${questionName(q)}: a yes/no question's options are Yes and No`);
  });
  if (problems.length)
    return {
      check: { name: 'format', verdict: 'FAIL', summary: 'the ballot is not well-formed', problems: capped(problems) },
      record: null,
    };
  return {
    check: pass(
      'format',
      `${record.format}: ballot "${record.ballot.title}", ${plural(qs.length, 'question')}, ${plural(record.votes.length, 'vote')}`,
    ),
    record,
  };
}

function checkVotes(r: ElectionRecord): Unnumbered {
  const problems: string[] = [];
  const unitNames = new Set(r.units.map((u) => u.name));
  const questions = r.ballot.questions;
  const ids = new Set(questions.map((q) => q.id));
  r.votes.forEach((raw: unknown, i) => {
    const name = voteName(raw, i);
    const v = voteSchema.safeParse(raw);
    if (!v.success) {
      problems.push(
        `${name}: not a well-formed vote (${v.error.issues.map((x) => `${x.path.join('.') || 'vote'}: ${x.message}`).join('; ')})`,
      );
      return;
    }
    const vote = v.data;
    if (!unitNames.has(vote.unit)) problems.push(`${name}: its unit "${vote.unit}" is not one of the record's units`);
    let weightOk = false;
    try {
      weightOk = cmp(parseRational(vote.weight), ZERO) > 0;
    } catch {
      /* reported below */
    }
    if (!weightOk) problems.push(`${name}: weight "${vote.weight}" is not a positive number`);
    for (const key of Object.keys(vote.answers))
      if (!ids.has(key)) problems.push(`${name}: answers a question not on the ballot (${key})`);
    for (const q of questions) {
      const raw = vote.answers[q.id];
      if (raw === undefined) {
        problems.push(`${name}: ${questionName(q)} is not answered (abstaining is an answer)`);
        continue;
      }
      const a = answerSchema.safeParse(raw);
      if (!a.success) {
        problems.push(`${name}: ${questionName(q)}: not a well-formed answer ${show(raw)}`);
        continue;
      }
      const problem = answerProblem(q, a.data);
      if (problem) problems.push(`${name}: ${questionName(q)}: ${problem}`);
    }
  });
  return judge(
    'votes',
    problems,
    `${plural(r.votes.length, 'vote')}, each well-formed, in a known unit, answering all ${plural(questions.length, 'question')} validly`,
    'some votes are not valid votes on this ballot',
  );
}

/** Unique and in code order: the published lists of receipts (and, under `choices`, of votes by receipt). */
function orderProblems(list: ReadonlyArray<string>, name: (c: string) => string, where: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  list.forEach((c, i) => {
    const prior = seen.get(c);
    if (prior !== undefined)
      problems.push(`${name(c)}: the receipt appears twice (${where} #${prior + 1} and #${i + 1})`);
    else seen.set(c, i);
    const before = list[i - 1];
    if (before !== undefined && byCodeUnits(before, c) > 0)
      problems.push(`${name(c)}: out of receipt order (after ${before})`);
  });
  return problems;
}

function checkReceipts(r: ElectionRecord, votes: StoredVote[]): Unnumbered {
  const problems: string[] = [];
  const codes = r.receipts.codes;
  const choices = r.ballot.receiptPolicy === 'choices';
  if (codes.length !== votes.length)
    problems.push(`receipts.codes lists ${codes.length} receipts for ${plural(votes.length, 'vote')}`);
  if (choices) {
    // Each vote shows its receipt; the published list is the votes' receipts, in the same order.
    const receipts = votes.map((v, i) => (typeof v.receipt === 'string' ? v.receipt : `#${i + 1}`));
    problems.push(...orderProblems(receipts, (c) => `vote ${c}`, 'votes'));
    const inVotes = new Set(receipts);
    const inCodes = new Set(codes);
    for (const c of codes) if (!inVotes.has(c)) problems.push(`receipt ${c} is listed but no vote carries it`);
    for (const c of receipts) if (!inCodes.has(c)) problems.push(`vote ${c}: its receipt is not in receipts.codes`);
    if (problems.length === 0)
      codes.forEach((c, i) => {
        if (receipts[i] !== c) problems.push(`receipts.codes[${i}] is ${c} but vote #${i + 1} is ${receipts[i]}`);
      });
  } else {
    // Under `inclusion` nothing may pair a receipt with answers: the votes carry none.
    problems.push(...orderProblems(codes, (c) => `receipt ${c}`, 'receipts'));
    votes.forEach((v, i) => {
      if (v.receipt !== undefined)
        problems.push(
          `${voteName(v, i)}: carries a receipt, which under the inclusion policy would pair it with its answers`,
        );
    });
  }
  if (r.receipts.policy !== r.ballot.receiptPolicy)
    problems.push(
      `receipts.policy is "${r.receipts.policy}" but the ballot's receipt policy is "${r.ballot.receiptPolicy}"`,
    );
  return judge(
    'receipts',
    problems,
    choices
      ? `${plural(votes.length, 'receipt')}, unique, in order, the same as the published list`
      : `${plural(codes.length, 'receipt')}, unique, in order, one per vote, listed apart from the votes`,
    'the receipts do not match the votes',
  );
}

function checkRoot(r: ElectionRecord, votes: StoredVote[], expected: string | undefined): Unnumbered[] {
  const root = boxRoot(r.ballot.receiptPolicy, votes, r.receipts.codes);
  const checks: Unnumbered[] = [
    root === r.boxRoot
      ? pass(
          'box root',
          `the Merkle root of the ${plural(votes.length, 'vote')}${r.ballot.receiptPolicy === 'inclusion' ? ' and the receipts' : ''} is ${root}, as recorded`,
        )
      : {
          name: 'box root',
          verdict: 'FAIL',
          summary: 'the votes are not the votes the box was closed with',
          problems: [
            `the Merkle root of the record's ${plural(votes.length, 'vote')} is ${root}, but boxRoot is ${r.boxRoot}: a vote was changed, removed or added`,
          ],
        },
  ];
  if (expected !== undefined) {
    const want = expected.trim().toLowerCase();
    checks.push(
      want === root && want === r.boxRoot
        ? pass('expected root', `the root you gave (${want}) matches`)
        : {
            name: 'expected root',
            verdict: 'FAIL',
            summary: 'the record is not the one the root you gave commits to',
            problems: [
              `you gave ${want}; the record's boxRoot is ${r.boxRoot}${root === r.boxRoot ? '' : ` and its votes give ${root}`}`,
            ],
          },
    );
  }
  return checks;
}

function checkTurnout(r: ElectionRecord, votes: StoredVote[]): Unnumbered {
  const problems: string[] = [];
  const e = r.electorate;
  const names = new Set<string>();
  for (const b of e.byBranch) {
    if (names.has(b.branch)) problems.push(`branch ${b.branch}: listed twice in electorate.byBranch`);
    names.add(b.branch);
    if (b.voted > b.eligible) problems.push(`branch ${b.branch}: ${b.voted} voted of ${b.eligible} eligible`);
  }
  const eligible = e.byBranch.reduce((n, b) => n + b.eligible, 0);
  const voted = e.byBranch.reduce((n, b) => n + b.voted, 0);
  if (eligible !== e.eligible)
    problems.push(`electorate.eligible is ${e.eligible} but its branches add up to ${eligible}`);
  if (voted !== e.voted) problems.push(`electorate.voted is ${e.voted} but its branches add up to ${voted}`);
  if (votes.length !== e.voted)
    problems.push(`the record holds ${plural(votes.length, 'vote')} but ${e.voted} members voted`);
  const votedIn = new Map(e.byBranch.map((b) => [b.branch, b.voted]));
  const perUnit = new Map<string, number>();
  for (const v of votes) perUnit.set(v.unit, (perUnit.get(v.unit) ?? 0) + 1);
  for (const u of r.units) {
    const want = u.branches.reduce((n, b) => n + (votedIn.get(b) ?? 0), 0);
    const got = perUnit.get(u.name) ?? 0;
    if (got !== want) problems.push(`unit ${u.name}: ${plural(got, 'vote')}, but ${want} of its members voted`);
  }
  const unitNames = new Set(r.units.map((u) => u.name));
  for (const [unit, n] of perUnit)
    if (!unitNames.has(unit)) problems.push(`${plural(n, 'vote')} in "${unit}", which is not a unit`);
  return judge(
    'turnout',
    problems,
    `${plural(votes.length, 'vote')} = ${e.voted} of ${e.eligible} members voted; every unit holds as many votes as its members cast`,
    'the votes do not add up to the turnout',
  );
}

function checkUnits(r: ElectionRecord): Unnumbered {
  const problems: string[] = [];
  const e = r.electorate;
  const unitOf = new Map<string, string>();
  if (new Set(r.units.map((u) => u.name)).size !== r.units.length) problems.push('two units share a name');
  for (const u of r.units) {
    for (const b of u.branches) {
      const prior = unitOf.get(b);
      if (prior !== undefined) problems.push(`branch ${b}: in both unit ${prior} and unit ${u.name}`);
      unitOf.set(b, u.name);
    }
  }
  const branchNames = new Set(e.byBranch.map((b) => b.branch));
  for (const b of e.byBranch) if (!unitOf.has(b.branch)) problems.push(`branch ${b.branch}: in no unit`);
  for (const b of unitOf.keys())
    if (!branchNames.has(b)) problems.push(`unit ${unitOf.get(b)}: branch ${b} is not in the electorate`);
  const expected = poolBranches(
    e.byBranch.map((b) => ({ branch: b.branch, voters: b.voted })),
    r.ballot.k,
  );
  const actual = r.units.map(({ name, branches, pooled }) => ({ name, branches, pooled }));
  if (canonicalJson(expected) !== canonicalJson(actual)) {
    problems.push(
      `pooling branches under k = ${r.ballot.k} by their turnout gives the units ${show(expected.map((u) => u.name))}, ` +
        `but the record has ${show(actual.map((u) => u.name))}`,
    );
    for (const [i, u] of expected.entries()) {
      const a = actual[i];
      if (a && canonicalJson(a) !== canonicalJson(u))
        problems.push(`unit ${i + 1}: expected ${show(u)}, recorded ${show(a)}`);
    }
  }
  const eligibleIn = new Map(e.byBranch.map((b) => [b.branch, b.eligible]));
  for (const u of r.units) {
    const want = u.branches.reduce((n, b) => n + (eligibleIn.get(b) ?? 0), 0);
    if (u.electorate !== want)
      problems.push(`unit ${u.name}: electorate ${u.electorate}, but its branches have ${want} eligible members`);
  }
  for (const u of r.units) {
    if (u.parts === undefined) continue;
    // A pool's branch sizes feed the delegate comparison's split count: they must be its own branches'.
    if (!u.pooled) problems.push(`unit ${u.name}: not a pool, but it lists the sizes of pooled branches`);
    if (canonicalJson(u.parts.map((p) => p.branch)) !== canonicalJson(u.branches))
      problems.push(`unit ${u.name}: its pooled branches' sizes are not given for exactly its branches`);
    const members = u.parts.reduce((n, p) => n + p.members, 0);
    if (members !== u.members) problems.push(`unit ${u.name}: members ${u.members}, but its branches have ${members}`);
    for (const p of u.parts)
      if (p.electorate !== (eligibleIn.get(p.branch) ?? 0))
        problems.push(
          `unit ${u.name}: branch ${p.branch} has ${eligibleIn.get(p.branch) ?? 0} eligible members, not ${p.electorate}`,
        );
  }
  const pooled = r.units.filter((u) => u.pooled).length;
  return judge(
    'units',
    problems,
    `${plural(r.units.length, 'unit')} (${plural(pooled, 'pool')}), exactly as pooling the branches under k = ${r.ballot.k} gives them`,
    'the voting units are not what the pooling rule gives',
  );
}

/** Where two JSON values differ, as paths such as `elected` or `count.rounds[1].votes.Ann`. */
export function jsonDifferences(
  published: unknown,
  recount: unknown,
  limit = 10,
  firstKeys: ReadonlyArray<string> = [],
): string[] {
  const out: string[] = [];
  const rank = (k: string) => {
    const i = firstKeys.indexOf(k);
    return i < 0 ? firstKeys.length : i;
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const key = (path: string, k: string) =>
    /^[A-Za-z_$][\w$]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      // A list of plain values (elected, a ranking) reads best whole.
      const flat = [...a, ...b].every((x) => x === null || typeof x !== 'object');
      if (a.length !== b.length || flat) {
        if (canonicalJson(a) !== canonicalJson(b))
          out.push(`${path || '(whole)'}: published ${show(a)}, recount ${show(b)}`);
        return;
      }
      a.forEach((x, i) => walk(x, b[i], `${path}[${i}]`));
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
        .filter((k) => a[k] !== undefined || b[k] !== undefined)
        .sort(byCodeUnits);
      // At the top, the fields a reader looks at first are reported first.
      if (path === '') keys.sort((x, y) => rank(x) - rank(y));
      for (const k of keys) walk(a[k], b[k], key(path, k));
      return;
    }
    if ((a === undefined) !== (b === undefined) || canonicalJson(a ?? null) !== canonicalJson(b ?? null)) {
      const round = /^count\.rounds\[(\d+)\]/.exec(path);
      out.push(
        `${path || '(whole)'}${round ? ` (round ${Number(round[1]) + 1})` : ''}: published ${show(a)}, recount ${show(b)}`,
      );
    }
  };
  walk(published, recount, '');
  return out;
}

/** Each question recounted once from the record's votes (the error if its votes cannot be counted). */
type Recount = QuestionResult | Error;

function recountAll(r: ElectionRecord, votes: StoredVote[]): Recount[] {
  return r.ballot.questions.map((q) => {
    try {
      // Recounted by the record's format's rules (a yes/no turnout), spelt as it spells a result (format 1: `abstained`).
      return inFormat(countRecordQuestion(r.ballot, q, votes, r.electorate.eligible, r.units, r.format), r.format);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  });
}

/**
 * The results are the ones stored at close: they hash to the recorded resultsHash (which
 * the log's close entry holds too, see checkCloseEntry). On a mismatch, the questions whose
 * result is not what their votes give are named.
 */
function checkResultsHash(r: ElectionRecord, recounts: Recount[]): Unnumbered | null {
  const recorded = (r as { resultsHash?: string }).resultsHash;
  if (recorded === undefined) return null;
  const hash = storedResults(r.results).hash;
  if (hash === recorded) return pass('results hash', `the SHA-256 of the results is ${hash}, as stored at close`);
  const differing = r.ballot.questions.flatMap((q, i) => {
    const again = recounts[i];
    const published = r.results[i];
    return again instanceof Error || canonicalJson(again) !== canonicalJson(published ?? null)
      ? [`${questionName(q)}: its result is not what its votes give (see V9.${i + 1})`]
      : [];
  });
  return {
    name: 'results hash',
    verdict: 'FAIL',
    summary: 'the results are not the ones stored at close with this hash',
    problems: [
      `resultsHash is ${recorded}, but the results hash to ${hash}`,
      ...(differing.length ? differing : ['every result is what its votes give: the hash itself was changed']),
    ],
  };
}

function checkCounts(r: ElectionRecord, votes: StoredVote[], recounts: Recount[]): Unnumbered[] {
  const checks: Unnumbered[] = [];
  const resultFor = new Map(r.results.map((x, i) => [x.id, i]));
  r.ballot.questions.forEach((q, i) => {
    const name = `count: ${questionName(q)}`;
    const id = `V9.${i + 1}`;
    const published = r.results[i];
    if (!published || published.id !== q.id) {
      const at = resultFor.get(q.id);
      checks.push({
        id,
        name,
        verdict: 'FAIL',
        summary: 'no published result for this question in its place',
        problems: [
          at === undefined
            ? `results has no entry for ${questionName(q)} (${q.id})`
            : `its result is at results[${at}], not results[${i}]`,
        ],
      });
      return;
    }
    const recount = recounts[i]!;
    if (recount instanceof Error) {
      checks.push({
        id,
        name,
        verdict: 'FAIL',
        summary: 'the votes could not be counted',
        problems: [`the recount stopped: ${recount.message} (see the votes check)`],
      });
      return;
    }
    if (canonicalJson(recount) === canonicalJson(published)) {
      checks.push({
        id,
        name,
        verdict: 'PASS',
        summary: `${q.method}: recounted from ${plural(votes.length, 'vote')}, identical to the published result (elected: ${recount.elected.join(', ') || 'none'})`,
        problems: [],
      });
    } else {
      const diffs = jsonDifferences(published, recount, 10, [
        'elected',
        'options',
        'abstentions',
        'figure',
        'count',
        'byUnit',
        'conference',
      ]);
      checks.push({
        id,
        name,
        verdict: 'FAIL',
        summary: `the recount of ${questionName(q)} differs from the published result`,
        problems: diffs.length ? diffs : ['the two differ'],
      });
    }
  });
  if (r.results.length > r.ballot.questions.length) {
    checks.push({
      name: 'count: results',
      verdict: 'FAIL',
      summary: 'more results than questions',
      problems: [`${plural(r.results.length, 'result')} for ${plural(r.ballot.questions.length, 'question')}`],
    });
  }
  return checks;
}

/**
 * What the checks of a ballot's nominations, member proposals and statements (V20, V21, V22)
 * read: the ballot's questions, the log and the proposals section. An office ballot's record
 * and a verifiable ballot's (./verifiable.ts) both hold them, and take the same checks.
 */
type Deliberation = {
  ballot: { id: string; questions: Question[] };
  auditLog: AuditEntry[];
  proposals?: RecordProposal[];
};

/** V20, V21 and V22, those that apply to the ballot. */
const deliberationChecks = (r: Deliberation): Unnumbered[] =>
  [checkNominations(r), checkProposals(r), checkProposalSection(r)].filter((c) => c !== null);

/** An election with nominations on the ballot: its candidates re-derived from the audit log (./nominations.ts). */
function checkNominations(r: Deliberation): Unnumbered | null {
  const found = nominationProblems(r.ballot, r.auditLog);
  if (!found) return null;
  return judge(
    'nominations',
    found.problems,
    `${plural(found.elections, 'election')} with nominations: the candidates are those who accepted and reached the threshold, in the order drawn, with their statements`,
    'the candidates are not those the nominations made',
  );
}

function checkAudit(r: ElectionRecord): Unnumbered {
  const log = r.auditLog;
  if (log.length === 0) return pass('audit log', '0 entries (the log is empty)');
  const problems = checkAuditChain(log);
  const orgs = new Set(log.map((x) => x.organisationId));
  if (orgs.size > 1) problems.push(`entries of ${orgs.size} organisations in one log`);
  return judge(
    'audit log',
    problems,
    `${plural(log.length, 'entry', 'entries')}, the hash chain holds (last hash ${log[log.length - 1]!.hash})`,
    'the audit log has been changed',
  );
}

/**
 * Members' proposals on the ballot (docs/proposals.md), read from the hash-chained log (V10
 * holds it): for each `proposal.schedule` entry naming this ballot, the proposal's
 * `proposal.start` and `proposal.qualify` entries are there; the wording's SHA-256 at
 * scheduling is the one it started with; a question of the ballot is that wording
 * unchanged (title, text as the description, a question's options in order); and the
 * support the qualify entry states reaches the threshold fixed at start. Absent when no
 * proposal is on the ballot.
 */
function checkProposals(r: Deliberation): Unnumbered | null {
  const log = r.auditLog;
  const scheduled = log.filter((e) => e.action === 'proposal.schedule' && e.details.ballotId === r.ballot.id);
  const cases = casesAgainstOn(r, new Set(scheduled.map((s) => String(s.subject))));
  if (scheduled.length === 0 && cases.length === 0) return null;
  const wording = (kind: string, title: string, text: string, options: string[] | null) =>
    sha256Hex(JSON.stringify([kind, title, text, options]));
  const problems: string[] = [];
  for (const s of scheduled) {
    const id = String(s.subject);
    const hash = s.details.wordingHash;
    const start = log.find((e) => e.action === 'proposal.start' && e.subject === id);
    const qualify = log.find((e) => e.action === 'proposal.qualify' && e.subject === id);
    if (!start) problems.push(`proposal ${id}: the log has no proposal.start entry`);
    else if (start.details.wordingHash !== hash)
      problems.push(`proposal ${id}: the wording scheduled is not the wording started`);
    const question = r.ballot.questions.find(
      (q) =>
        wording('motion', q.title, q.description, null) === hash ||
        wording(
          'question',
          q.title,
          q.description,
          // An amended question ranks every version's options: the proposal's own are its first version's.
          (q.settings as { versions?: VersionsSettings }).versions?.options[0]!.map((i) => q.options[i]?.label ?? '') ??
            q.options.map((o) => o.label),
        ) === hash,
    );
    if (!question) problems.push(`proposal ${id}: no question of the ballot is its wording unchanged`);
    if (!qualify) problems.push(`proposal ${id}: the log has no proposal.qualify entry`);
    else if (start) {
      const t = start.details.needs as Partial<Threshold> | undefined;
      const support = { supporters: Number(qualify.details.supporters), branches: Number(qualify.details.branches) };
      const threshold: Threshold = {
        supporters: t?.supporters ?? null,
        branches: t?.branches ?? null,
        combine: t?.combine ?? 'either',
      };
      if (!qualifies(threshold, support))
        problems.push(
          `proposal ${id}: qualified with ${support.supporters} supporters in ${support.branches} branches, short of its threshold`,
        );
    }
  }
  problems.push(...checkCasesAgainst(r, cases));
  const standing = cases.filter((c) => c.qualify).length;
  return judge(
    'member proposals',
    problems,
    `${plural(scheduled.length, 'member proposal', 'member proposals')} on the ballot word for word, each qualified by its threshold${
      standing ? `; ${plural(standing, "members' case against", "members' cases against")} on it as qualified` : ''
    }`,
    "a member proposal's question or support, or a members' case against, does not match the log",
  );
}

type CaseAgainst = { id: string; start: AuditEntry; qualify: AuditEntry | undefined; answers: string };

/**
 * The members' cases against that answer this ballot, from the log's `proposal.start`
 * entries: a case against a member proposal scheduled on it (`against`: the proposal's id),
 * or against a question the office put on it (`againstQuestion.ballotId`), with its
 * qualify entry if it qualified. `answers` keys what it answers: the proposal, or the
 * question by its title (a case follows its question by title through edits of the draft).
 */
function casesAgainstOn(r: Deliberation, scheduledIds: Set<string>): CaseAgainst[] {
  const log = r.auditLog;
  return log.flatMap((start) => {
    if (start.action !== 'proposal.start') return [];
    const question = start.details.againstQuestion as { ballotId?: unknown; title?: unknown } | undefined;
    const parent = start.details.against;
    const answers =
      question?.ballotId === r.ballot.id
        ? `question:${String(question.title)}`
        : typeof parent === 'string' && scheduledIds.has(parent)
          ? `proposal:${parent}`
          : null;
    if (!answers) return [];
    const id = String(start.subject);
    return [{ id, start, answers, qualify: log.find((e) => e.action === 'proposal.qualify' && e.subject === id) }];
  });
}

/**
 * Each members' case against that qualified first for what it answers must be that
 * question's case against as the ballot opened: the log's `ballot.statements` entry (written
 * with the open) names it, with the SHA-256 of the text it started with, on a question of
 * the ballot; and its support reached the threshold fixed at start. A case replaced by the
 * office's, or dropped with its question, fails.
 */
function checkCasesAgainst(r: Deliberation, cases: CaseAgainst[]): string[] {
  const problems: string[] = [];
  const opened = r.auditLog.find((e) => e.action === 'ballot.statements' && e.subject === r.ballot.id);
  const statements = (opened?.details.statements ?? []) as Array<{
    questionId?: string;
    side?: string;
    author?: string;
    textHash?: string;
    caseAgainst?: string;
  }>;
  const firstFor = new Map<string, CaseAgainst>();
  for (const c of cases)
    if (c.qualify) {
      const seen = firstFor.get(c.answers);
      if (!seen || seen.qualify!.position > c.qualify.position) firstFor.set(c.answers, c);
    }
  for (const c of firstFor.values()) {
    const t = c.start.details.needs as Partial<Threshold> | undefined;
    const support = {
      supporters: Number(c.qualify!.details.supporters),
      branches: Number(c.qualify!.details.branches),
    };
    if (
      !qualifies(
        { supporters: t?.supporters ?? null, branches: t?.branches ?? null, combine: t?.combine ?? 'either' },
        support,
      )
    )
      problems.push(
        `case against ${c.id}: qualified with ${support.supporters} supporters in ${support.branches} branches, short of its threshold`,
      );
    if (!opened) {
      problems.push(`case against ${c.id}: it qualified, and the log has no ballot.statements entry for the open`);
      continue;
    }
    const s = statements.find((x) => x.side === 'against' && x.caseAgainst === c.id);
    if (!s) {
      problems.push(`case against ${c.id}: it qualified, and the ballot opened without it (replaced or dropped)`);
      continue;
    }
    if (s.author !== 'members' || s.textHash !== c.start.details.textHash)
      problems.push(`case against ${c.id}: the case against the ballot opened with is not the text it started with`);
    if (!r.ballot.questions.some((q) => q.id === s.questionId))
      problems.push(`case against ${c.id}: the question it answers (${String(s.questionId)}) is not on the ballot`);
  }
  return problems;
}

/**
 * V22: the record's proposals section states what the log committed to, proposal by
 * proposal (./proposals.ts): wording, rules, threshold, window, support, schedule,
 * amendments and statements, and the ballot's question is the proposal's wording.
 */
function checkProposalSection(r: Deliberation): Unnumbered | null {
  const found = proposalSectionProblems(r.ballot, r.auditLog, r.proposals);
  if (!found) return null;
  return judge(
    'proposals section',
    found.problems,
    `${plural(found.proposals, 'member proposal')} and ${plural(found.amendments, 'amendment')} as the log has them: wording, threshold, window, support per branch pooled under k, schedule and statements`,
    'the proposals section does not agree with the log or the ballot',
  );
}

/**
 * The close is in the log (action "ballot.close", subject the ballot's id) with the root,
 * the number of votes and the units it established. The log is hash-chained, so a box
 * changed later, with its root recomputed to match, still disagrees with the log.
 */
function checkCloseEntry(r: ElectionRecord, votes: StoredVote[]): Unnumbered | null {
  const name = 'audit log: the close';
  if (r.auditLog.length === 0) return null;
  const closes = r.auditLog.filter((e) => e.action === 'ballot.close' && e.subject === r.ballot.id);
  if (closes.length !== 1) {
    return {
      name,
      verdict: 'FAIL',
      summary: "the log does not record this ballot's close once",
      problems: [
        `${plural(closes.length, 'ballot.close entry', 'ballot.close entries')} for ballot ${r.ballot.id} (expected 1: an entry may have been cut from the end of the log)`,
      ],
    };
  }
  const e = closes[0]!;
  const d = e.details;
  const problems: string[] = [];
  if (d.boxRoot !== r.boxRoot)
    problems.push(`entry ${e.position}: the close recorded box root ${show(d.boxRoot)}, the record has ${r.boxRoot}`);
  if (d.votes !== undefined && d.votes !== votes.length)
    problems.push(`entry ${e.position}: the close recorded ${show(d.votes)} votes, the record holds ${votes.length}`);
  if (d.units !== undefined && canonicalJson(d.units) !== canonicalJson(r.units.map((u) => u.name))) {
    problems.push(
      `entry ${e.position}: the close recorded the units ${show(d.units)}, the record has ${show(r.units.map((u) => u.name))}`,
    );
  }
  // Closes and publishes since results are stored record the hash of the results they fixed and published.
  const recorded = (r as { resultsHash?: string }).resultsHash;
  for (const x of r.auditLog) {
    if (x.subject !== r.ballot.id || (x.action !== 'ballot.close' && x.action !== 'ballot.publish')) continue;
    const h = x.details.resultsHash;
    if (h !== undefined && h !== recorded)
      problems.push(
        `entry ${x.position}: the ${x.action === 'ballot.close' ? 'close' : 'publish'} recorded results hash ${show(h)}, the record has ${show(recorded)}`,
      );
  }
  return judge(
    name,
    problems,
    `entry ${e.position} records the close with this box root${d.resultsHash === undefined ? '' : ', these results'} and ${plural(votes.length, 'vote')}`,
    'the box or the results are not the ones the log says the ballot closed with',
  );
}

/**
 * The log entry of the close, whose hash the auditor was sent at the close: with the chain
 * holding, the log up to that entry is the one the ballot closed with. A server that
 * rewrote its log (recomputing every hash) or cut it cannot match a hash already sent.
 */
function checkCloseHash(r: ElectionRecord, closeHash: string): Unnumbered {
  const name = 'expected close entry';
  const want = closeHash.trim().toLowerCase();
  const entry = r.auditLog.find((e) => e.hash === want);
  if (!entry) {
    return {
      name,
      verdict: 'FAIL',
      summary: 'the log has no entry with the hash you were sent',
      problems: [`no entry hashes to ${want}: the log up to the close has been rewritten, or cut before it`],
    };
  }
  if (entry.action !== 'ballot.close' || entry.subject !== r.ballot.id) {
    return {
      name,
      verdict: 'FAIL',
      summary: "the entry with that hash is not this ballot's close",
      problems: [
        `entry ${entry.position} is "${entry.action}" on ${show(entry.subject)}, not the close of ballot ${r.ballot.id}`,
      ],
    };
  }
  return pass(
    name,
    `entry ${entry.position}, the close, has the hash you were sent: the log up to it is the one the ballot closed with`,
  );
}

/** The log's entries about this ballot that issue a token after it opened: each adds one to `tokens.later`. */
const ISSUES_LATER = new Set(['electorate.add', 'link.reissue']);

type OpenCommitment = {
  definition?: unknown;
  electorate?: unknown;
  electorateHash?: unknown;
  tokensRoot?: unknown;
  tokens?: unknown;
};

function sameSet(a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean {
  return a.length === b.length && canonicalJson([...a].sort()) === canonicalJson([...b].sort());
}

/** Problems with a list of token hashes that should be ascending and unique. */
function ascendingUnique(name: string, list: ReadonlyArray<string>): string[] {
  for (let i = 1; i < list.length; i++)
    if (!(list[i - 1]! < list[i]!)) return [`tokens.${name} is not in ascending order without repeats (at ${i})`];
  return [];
}

/**
 * The commitments made when the ballot opened (the log's "ballot.commit-open" entry) and
 * closed (its "ballot.close" entry), against the record: the definition, the electorate per
 * branch and the tokens are the ones committed at open; every token issued after opening has
 * its log entry; every used token was issued. With --open-hash and --close-hash, the log's
 * entries are the ones the auditors were mailed, so an insider who recomputes every
 * commitment and rewrites the log is still caught.
 */
function checkCommitments(r: ElectionRecord): Unnumbered[] {
  const log = r.auditLog;
  const tokens = r.tokens;
  const opens = log.filter((e) => e.action === OPEN_COMMITMENT && e.subject === r.ballot.id);
  // Records of ballots opened before commitments were made have neither.
  if (opens.length === 0 && tokens === undefined) return [];
  const missing = (name: CheckName): Unnumbered => ({
    name,
    verdict: 'FAIL',
    summary: 'the commitment made at open is not in the log once',
    problems: [
      `${plural(opens.length, `${OPEN_COMMITMENT} entry`, `${OPEN_COMMITMENT} entries`)} for ballot ${r.ballot.id} (expected 1)`,
    ],
  });
  if (opens.length !== 1)
    return [missing('commitment: definition'), missing('commitment: electorate'), missing('commitment: tokens')];
  const open = opens[0]!;
  const d = open.details as OpenCommitment;
  const close = log.find((e) => e.action === 'ballot.close' && e.subject === r.ballot.id);
  const between = log.filter(
    (e) =>
      e.subject === r.ballot.id && e.position > open.position && (close === undefined || e.position < close.position),
  );

  const definition = definitionHash(r.ballot);
  const checks: Unnumbered[] = [
    judge(
      'commitment: definition',
      d.definition === definition
        ? []
        : [
            `entry ${open.position} committed to the definition ${show(d.definition)}; the record's questions, options, methods, settings, k, policies and delegate model hash to ${definition}`,
          ],
      `the questions, options, methods, settings and policies hash to ${definition}, as committed at open (entry ${open.position})`,
      'the ballot is not the one committed to when it opened',
    ),
  ];

  // The electorate: as committed at open, plus each member added later (their entries name branch and weight).
  const problems: string[] = [];
  const committed = Array.isArray(d.electorate) ? (d.electorate as BranchElectorate[]) : [];
  if (electorateHash(committed) !== d.electorateHash)
    problems.push(`entry ${open.position}: the electorate it lists does not hash to its electorateHash`);
  const expected = new Map(electorateOf(committed).map((b) => [b.branch, { ...b }]));
  for (const e of between.filter((x) => x.action === 'electorate.add')) {
    const branch = String(e.details.branch ?? '');
    const weight = String(e.details.weight ?? '');
    if (!branch || !/^\d+(\.\d+)?$/.test(weight)) {
      problems.push(`entry ${e.position}: adds a member without naming their branch and weight`);
      continue;
    }
    const b = expected.get(branch) ?? { branch, eligible: 0, weight: '0' };
    expected.set(branch, { branch, eligible: b.eligible + 1, weight: addDecimals(b.weight, weight) });
  }
  const recorded = new Map(r.electorate.byBranch.map((b) => [b.branch, b]));
  for (const [name, want] of expected) {
    const got = recorded.get(name);
    if (!got) problems.push(`branch ${name}: ${want.eligible} eligible at open, missing from the record`);
    else {
      if (got.eligible !== want.eligible)
        problems.push(`branch ${name}: ${got.eligible} eligible in the record, ${want.eligible} committed`);
      if (got.weight === undefined) problems.push(`branch ${name}: the record gives no weight`);
      else if (normaliseDecimal(got.weight) !== want.weight)
        problems.push(`branch ${name}: weight ${got.weight} in the record, ${want.weight} committed`);
    }
  }
  for (const name of recorded.keys())
    if (!expected.has(name)) problems.push(`branch ${name}: in the record, not in the electorate committed at open`);
  const eligible = [...expected.values()].reduce((n, b) => n + b.eligible, 0);
  checks.push(
    judge(
      'commitment: electorate',
      problems,
      `${plural(expected.size, 'branch', 'branches')}, ${eligible} members and their weights, as committed at open${eligible !== committed.reduce((n, b) => n + b.eligible, 0) ? ' and added since in the log' : ''}`,
      'the electorate is not the one committed to when the ballot opened',
    ),
  );

  const t: string[] = [];
  if (!tokens) t.push('the record lists no tokens, but the ballot committed to them at open');
  else {
    t.push(...ascendingUnique('atOpen', tokens.atOpen), ...ascendingUnique('later', tokens.later));
    t.push(...ascendingUnique('used', tokens.used));
    const atOpenRoot = tokensRoot(tokens.atOpen);
    if (atOpenRoot !== d.tokensRoot)
      t.push(
        `the ${plural(tokens.atOpen.length, 'token')} issued at open have the root ${atOpenRoot}; entry ${open.position} committed to ${show(d.tokensRoot)}`,
      );
    if (d.tokens !== tokens.atOpen.length)
      t.push(`entry ${open.position} committed to ${show(d.tokens)} tokens; the record lists ${tokens.atOpen.length}`);
    const issuedLater = between.filter((e) => ISSUES_LATER.has(e.action)).length;
    if (tokens.later.length !== issuedLater)
      t.push(
        `${plural(tokens.later.length, 'token')} issued after opening, but the log records ${plural(issuedLater, 'issue')} (members added, links sent again)`,
      );
    const issued = new Set([...tokens.atOpen, ...tokens.later]);
    if (issued.size !== tokens.atOpen.length + tokens.later.length) t.push('a token is listed as issued twice');
    const unissued = tokens.used.filter((h) => !issued.has(h));
    for (const h of unissued) t.push(`token ${h} was used to vote but never issued`);
    if (tokens.used.length !== r.electorate.voted)
      t.push(`${plural(tokens.used.length, 'used token')}, but ${r.electorate.voted} members voted`);
    const c = (close?.details.tokens ?? null) as { usedRoot?: unknown; used?: unknown; laterRoot?: unknown } | null;
    if (!close || !c) t.push('the close entry commits to no used tokens');
    else {
      if (c.usedRoot !== tokensRoot(tokens.used))
        t.push(
          `entry ${close.position}: the close committed to used tokens ${show(c.usedRoot)}, the record's give ${tokensRoot(tokens.used)}`,
        );
      if (c.laterRoot !== tokensRoot(tokens.later))
        t.push(
          `entry ${close.position}: the close committed to later tokens ${show(c.laterRoot)}, the record's give ${tokensRoot(tokens.later)}`,
        );
    }
    if (sameSet(tokens.used, []) && r.electorate.voted > 0) t.push('no used tokens listed');
  }
  checks.push(
    judge(
      'commitment: tokens',
      t,
      `${plural(tokens?.atOpen.length ?? 0, 'token')} issued at open (the committed root), ${tokens?.later.length ?? 0} later (each in the log), ${tokens?.used.length ?? 0} used, every one of them issued`,
      'the tokens are not the ones committed to, or a vote used a token that was never issued',
    ),
  );
  return checks;
}

/**
 * The box's chain (./chain): the server signed, with the key committed at open, checkpoints
 * over the SHA-256 of every sealed vote that reached the box. Every checkpoint must follow
 * from the chain and carry that key's signature; the chain must hold exactly as many
 * elements as the record has votes and used tokens (a vote deleted once chained, its token
 * marked unused, leaves one element too many); the close's entry names the final
 * checkpoint, and the last one the server remembered signing (kept out of the database's
 * reach), which the chain must still hold (a tail cut off with its checkpoints).
 */
function checkChain(r: ElectionRecord, votes: StoredVote[]): Unnumbered[] {
  const opens = r.auditLog.filter((e) => e.action === OPEN_COMMITMENT && e.subject === r.ballot.id);
  const key = opens.length === 1 ? opens[0]!.details.chainKey : undefined;
  if (key === undefined && r.chain === undefined) return [];
  const problems: string[] = [];
  const chain = r.chain;
  if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key))
    problems.push('the commitment at open names no key for the checkpoints of the box chain the record holds');
  else if (!chain) problems.push('the record has no box chain, but the commitment at open named its key');
  else problems.push(...chainProblems(r.ballot.id, key, chain));
  if (chain) {
    const n = chain.elements.length;
    if (n !== votes.length)
      problems.push(
        `the chain holds ${plural(n, 'vote')} that reached the box, the record ${votes.length}: ${n > votes.length ? 'votes were removed after they were chained' : 'votes were added that never reached the box while it was open'}`,
      );
    if (n !== r.electorate.voted)
      problems.push(`the chain holds ${plural(n, 'vote')}, but ${r.electorate.voted} members voted`);
    const close = r.auditLog.find((e) => e.action === 'ballot.close' && e.subject === r.ballot.id);
    const c = close?.details.chain as
      { count?: unknown; head?: unknown; remembered?: { count?: unknown; head?: unknown } | null } | undefined;
    const last = chain.checkpoints[chain.checkpoints.length - 1];
    if (!close || !c) problems.push('the close entry does not commit to the box chain');
    else {
      if (c.count !== last?.count || c.head !== last?.head)
        problems.push(
          `entry ${close.position}: the close recorded the checkpoint at ${show(c.count)} (head ${show(c.head)}), the record's last is at ${show(last?.count)}`,
        );
      const m = c.remembered;
      if (m && !chain.checkpoints.some((x) => x.count === m.count && x.head === m.head))
        problems.push(
          `entry ${close.position}: the server remembered signing the checkpoint at ${show(m.count)} (head ${show(m.head)}), which the chain no longer holds: votes were cut from the box with their checkpoints`,
        );
    }
  }
  return [
    judge(
      'box chain',
      problems,
      `${plural(chain?.elements.length ?? 0, 'vote')} chained as they reached the box, ${plural(chain?.checkpoints.length ?? 0, 'checkpoint')} signed with the key committed at open: none removed`,
      "votes were removed from the box before the close, or the chain is not the server's",
    ),
  ];
}

/**
 * The log entry of the commitment at open, whose hash the auditors were mailed when the
 * ballot opened: with the chain holding, the commitments in it (and the log before it) are
 * the ones made then, before any vote.
 */
function checkOpenHash(r: ElectionRecord, openHash: string): Unnumbered {
  const name = 'expected open entry';
  const want = openHash.trim().toLowerCase();
  const entry: AuditEntry | undefined = r.auditLog.find((e) => e.hash === want);
  if (!entry)
    return {
      name,
      verdict: 'FAIL',
      summary: 'the log has no entry with the hash you were sent at open',
      problems: [`no entry hashes to ${want}: the log up to the opening has been rewritten, or cut before it`],
    };
  if (entry.action !== OPEN_COMMITMENT || entry.subject !== r.ballot.id)
    return {
      name,
      verdict: 'FAIL',
      summary: "the entry with that hash is not this ballot's commitment at open",
      problems: [
        `entry ${entry.position} is "${entry.action}" on ${show(entry.subject)}, not the commitment of ballot ${r.ballot.id}`,
      ],
    };
  return pass(
    name,
    `entry ${entry.position}, the commitment at open, has the hash you were sent: the definition, electorate and tokens are the ones committed then`,
  );
}

/**
 * Verifies a parsed record. `root`: the box root the auditor got by another way (the close
 * email); `closeHash`: the hash of the log entry of the close, sent with it; `openHash`: the
 * hash of the log entry of the commitment at open, mailed when the ballot opened.
 */
export function verifyRecord(
  data: unknown,
  opts: { root?: string; closeHash?: string; openHash?: string } = {},
): Verification {
  // A verifiable ballot's record holds its Belenios archive instead of votes; its nominations,
  // proposals and statements are checked as an office ballot's are.
  if (isVerifiableRecord(data)) {
    const v = verifyVerifiableRecord(data);
    if (v.malformed) return v;
    const checks = [...v.checks, ...deliberationChecks(data as VerifiableRecord).map(numbered)];
    return { ...v, ok: checks.every((c) => c.verdict === 'PASS'), checks };
  }
  const { check, record } = checkFormat(data);
  if (!record) return { ok: false, malformed: true, ballot: null, checks: [numbered(check)] };
  // Checks below read the votes as votes; a malformed one is named by the votes check
  // (and, being no vote, is hashed and counted as an empty object).
  const votes = record.votes.map((v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {},
  ) as StoredVote[];
  const recounts = recountAll(record, votes);
  const checks = [
    check,
    checkVotes(record),
    checkReceipts(record, votes),
    ...checkRoot(record, votes, opts.root),
    checkTurnout(record, votes),
    checkUnits(record),
    checkResultsHash(record, recounts),
    ...checkCounts(record, votes, recounts),
    checkAudit(record),
    checkCloseEntry(record, votes),
    opts.closeHash === undefined ? null : checkCloseHash(record, opts.closeHash),
    ...checkCommitments(record),
    ...checkChain(record, votes),
    opts.openHash === undefined ? null : checkOpenHash(record, opts.openHash),
    ...deliberationChecks(record),
  ]
    .filter((c) => c !== null)
    .map(numbered);
  return {
    ok: checks.every((c) => c.verdict === 'PASS'),
    malformed: false,
    ballot: { id: record.ballot.id, title: record.ballot.title },
    checks,
  };
}

const numbered = (c: Unnumbered): Check => ({
  id: c.id ?? CHECK_IDS[c.name as CheckName],
  name: c.name,
  verdict: c.verdict,
  summary: c.summary,
  problems: c.problems,
});

/** The report as text: one verdict line per check, the problems indented below it. */
export function formatVerification(v: Verification): string {
  const lines: string[] = [];
  if (v.ballot) lines.push(`Election record of "${v.ballot.title}" (${v.ballot.id})`, '');
  for (const c of v.checks) {
    lines.push(`${c.verdict}  ${c.id.padEnd(5)} ${c.name}: ${c.summary}`);
    for (const p of c.problems) lines.push(`      ${p}`);
  }
  const failed = v.checks.filter((c) => c.verdict === 'FAIL').length;
  lines.push(
    '',
    v.malformed
      ? 'MALFORMED: this file is not an election record that can be verified'
      : v.ok
        ? `VERIFIED: all ${v.checks.length} checks pass`
        : `NOT VERIFIED: ${failed} of ${v.checks.length} checks fail`,
  );
  return `${lines.join('\n')}\n`;
}

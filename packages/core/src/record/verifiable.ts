import crypto from 'node:crypto';
import { z } from 'zod';
import { type AuditEntry, auditEntrySchema, checkAuditChain } from '../domain/audit';
import type { DelegateSettingsInput, Question, StoredVote } from '../domain/ballot';
import type { VersionsSettings } from '../domain/amendments';
import type { QuestionResult, UnitFacts } from '../domain/count';
import { rankingProblem } from '../crypto/ballot';
import { optionScoreTotals } from '../crypto/score';
import { type Result, resultBallots, resultTotals } from '../crypto/tally';
import { type ArchiveVerification, verifyArchive } from '../crypto/verify-archive';
import { isMethod, methodOf } from '../methods/index';
import { canonicalJson } from './canonical';
import { countRecordQuestion, type RecordBallot, storedResults } from './record';
import { proposalsSectionSchema, type RecordProposal } from './proposals';
import type { Check, Verification } from './verify';
import { type BranchSection, branchSectionSchema, checkBranchSection } from './verifiable-branches';

/**
 * The election record of a verifiable ballot (docs/election-record.md, "A verifiable
 * ballot's record"): the ballot's definition, its Belenios archive (whole, in base 64, with
 * its SHA-256), the results as omov published them, and the organisation's audit log up to
 * the result. `omov verify` checks the archive as belenios-tool does, and also what omov adds:
 * that each published result is what omov's engine counts from the archive's decrypted
 * totals, and that the log's commitments at the open, the close and the result name this very
 * archive. Pure: no I/O.
 */

export const VERIFIABLE_RECORD_FORMAT = 'omov-verifiable-record/1';

export type VerifiableMode = {
  kind: 'verifiable';
  trustees: number;
  threshold: number;
  credentialAuthority: string;
  revoting: boolean;
};

export type VerifiableRecord = {
  format: typeof VERIFIABLE_RECORD_FORMAT;
  ballot: RecordBallot & { mode: VerifiableMode };
  /** The Belenios 2.0 archive (`<uuid>.bel`), as GET /api/v1/ballots/{id}/belenios-archive serves it. */
  archive: { fileName: string; sha256: string; base64: string };
  /** As stored when the trustees' decryptions gave the result, in question order. */
  results: QuestionResult[];
  resultsHash: string;
  auditLog: AuditEntry[];
  /** The member proposals on the ballot, as an office ballot's record has them (ElectionRecord.proposals). */
  proposals?: RecordProposal[];
  /** The pools of branches, their sub-tallies and the trustees' decryptions of them (absent for a ballot closed before them). */
  branches?: BranchSection;
};

/** True for a method whose ballots are rankings: a verifiable ballot shuffles and decrypts them one by one. */
export const isRankedMethod = (method: string): boolean => isMethod(method) && methodOf(method).answer === 'ranking';

/**
 * A decrypted ranked ballot (each option's rank, 1 first, 0 unranked) as omov's engine reads
 * it: the options in order of preference. Nothing ranked is an abstention; so is a ranking
 * that is not 1, 2, 3, … without ties or gaps (the voting page and `omov vote` never make one,
 * but a ballot made by hand can, since Belenios proves nothing about what it encrypts).
 */
export function rankedVote(ranks: ReadonlyArray<number>, options: number): StoredVote['answers'][string] {
  if (ranks.length !== options)
    throw new RangeError(`a decrypted ballot has ${ranks.length} ranks for ${options} options`);
  if (rankingProblem(ranks) !== undefined || ranks.every((r) => r === 0)) return { kind: 'abstain' };
  const order = ranks
    .map((rank, option) => ({ rank, option }))
    .filter((x) => x.rank > 0)
    .sort((a, b) => a.rank - b.rank)
    .map((x) => x.option);
  return { kind: 'ranking', options: order };
}

/**
 * How many Belenios questions an omov question is written as: one, or for a score question
 * one per option (crypto/score.ts).
 */
export const beleniosQuestionCount = (q: Pick<Question, 'method' | 'options'>): number =>
  q.method === 'score' ? q.options.length : 1;

/**
 * A score question's decrypted totals (one Belenios result row per option: the blank weight,
 * then the weight of each score) as weighted score votes that omov's engine counts to the same
 * totals, the same weight scoring each option, and the same valid papers as the ballots cast.
 * Belenios decrypts only each option's totals, never which scores went together on one
 * ballot, so the votes are made by laying each option's weights end to end in score order
 * and cutting them where any option's score changes: a vote of each piece's weight. The
 * abstentions are the weight that left every option blank, which is what the voting page and
 * `omov vote` send to abstain; a ballot made by hand that leaves only some options blank
 * counts those as unscored (0, as office mode counts them), and the abstentions are then the
 * least blank weight of any option (the totals cannot say which ballots left which blank).
 */
export function scoreVotes(q: Question, rows: ReadonlyArray<ReadonlyArray<bigint>>, unit = ''): StoredVote[] {
  if (rows.length !== q.options.length)
    throw new RangeError(`the result has ${rows.length} rows for the score question's ${q.options.length} options`);
  const max = (q.settings as { maxScore: number }).maxScore;
  const options = rows.map((row, o) => {
    if (row.length !== max + 2)
      throw new RangeError(`option ${o + 1}'s result has ${row.length} totals, not blank and 0 to ${max}`);
    return { row, ...optionScoreTotals(row) };
  });
  const all = options[0]!.blank + options[0]!.scored;
  if (options.some((x) => x.blank + x.scored !== all))
    throw new RangeError("the score question's options were not counted over the same ballots");
  const abstained = options.reduce((m, x) => (x.blank < m ? x.blank : m), all);
  // Each option's pieces, in order: unscored (blank beyond the abstentions), then score 0, 1, ….
  const pieces = options.map((x) => [
    { score: null as number | null, weight: x.blank - abstained },
    ...x.row.slice(1).map((weight, score) => ({ score: score as number | null, weight })),
  ]);
  const cuts = new Set<bigint>([0n]);
  for (const list of pieces) {
    let at = 0n;
    for (const p of list) cuts.add((at += p.weight));
  }
  const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const scoreAt = (list: (typeof pieces)[number], x: bigint): number | null => {
    let at = 0n;
    for (const p of list) {
      at += p.weight;
      if (x < at) return p.score;
    }
    throw new RangeError('a score past the end of the totals');
  };
  const votes: StoredVote[] = abstained
    ? [{ unit, weight: String(abstained), answers: { [q.id]: { kind: 'abstain' } } }]
    : [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [from, to] = [sorted[i]!, sorted[i + 1]!];
    votes.push({
      unit,
      weight: String(to - from),
      answers: { [q.id]: { kind: 'scores', scores: pieces.map((list) => scoreAt(list, from)) } },
    });
  }
  return votes;
}

/**
 * The decrypted result of a verifiable ballot counted by omov's engine, as an office ballot's
 * votes are: for each question (in position order) of a homomorphic method, one weighted vote
 * per answer carrying that answer's total, and the blank votes as abstentions (the question's
 * Belenios result, the blank votes first); of a score question, its options' rows as
 * scoreVotes makes them; of a ranked method, one vote of weight 1 per decrypted (shuffled)
 * ballot. `totals` is the Belenios result, one row per Belenios question (a score question
 * has one per option: beleniosQuestionCount). `eligible`: the number of public credentials.
 * The server stores exactly this; `omov verify` counts it again from the archive.
 */
export function verifiableResults(
  ballotId: string,
  questions: ReadonlyArray<Question>,
  totals: Result,
  eligible: number,
  branches?: BranchFigures,
): QuestionResult[] {
  const ballot = { id: ballotId, delegates: branches?.delegates ?? null, questions: [] as Question[] };
  const sorted = [...questions].sort((a, b) => a.position - b.position);
  ballot.questions = sorted;
  const units = branches?.units ?? [];
  const expected = sorted.reduce((n, q) => n + beleniosQuestionCount(q), 0);
  if (totals.length !== expected)
    throw new RangeError(`the result has ${totals.length} rows for the ballot's ${expected} Belenios questions`);
  /** The first Belenios question of the question at `j`. */
  const atOf = (j: number) => sorted.slice(0, j).reduce((n, x) => n + beleniosQuestionCount(x), 0);
  let next = 0;
  return sorted.map((q, i) => {
    const at = next;
    next += beleniosQuestionCount(q);
    const row = totals[at] ?? [];
    if (q.method === 'score') {
      const rowsOf = (result: Result) =>
        result.slice(at, next).map((r) => {
          const t = resultTotals(r);
          if (t.length !== r.length)
            throw new RangeError(`question ${i + 1} is a score question, but its result holds ballots`);
          return t;
        });
      const votes = branches
        ? poolVotes(i, at, rowsOf(totals), branches, (pool, unit) => scoreVotes(q, rowsOf(pool), unit))
        : scoreVotes(q, rowsOf(totals));
      return withVoters(countRecordQuestion(ballot, q, votes, eligible, units), branches);
    }
    if (isRankedMethod(q.method)) {
      // Where the shuffles kept the pools apart, pool p's rankings are the range after the pools before it.
      const pooled = branches?.rankedPools ? branches : undefined;
      const unitAt = pooled
        ? pooled.units.flatMap((u, p) => Array.from({ length: pooled.voters[p] ?? 0 }, () => u.name))
        : undefined;
      const rankedOf = (x: Question, xRow: Result[number], n: number): StoredVote[] => {
        const ballots = resultBallots(xRow);
        if (ballots.length !== xRow.length)
          throw new RangeError(`question ${n + 1} is ranked, but its result holds totals`);
        if (unitAt && unitAt.length !== ballots.length)
          throw new RangeError(
            `question ${n + 1}: ${ballots.length} decrypted rankings, but the pools hold ${unitAt.length} ballots`,
          );
        return ballots.map((ranks, at) => ({
          unit: unitAt?.[at] ?? '',
          weight: '1',
          answers: { [x.id]: rankedVote(ranks, x.options.length) },
        }));
      };
      // An amended question's options are counted over the version its version question adopts:
      // that question's own rankings (shuffled apart from these) say which.
      const versions = (q.settings as { versions?: VersionsSettings }).versions;
      const vq = versions && sorted.findIndex((x) => x.title === versions.question);
      const versionVotes = vq !== undefined && vq >= 0 ? rankedOf(sorted[vq]!, totals[atOf(vq)] ?? [], vq) : undefined;
      const counted = countRecordQuestion(
        ballot,
        q,
        rankedOf(q, row, i),
        eligible,
        pooled ? units : [],
        undefined,
        versionVotes,
      );
      return pooled ? withVoters(counted, pooled) : counted;
    }
    const votes = branches
      ? poolVotes(i, at, [resultTotals(row)], branches, (pool, unit) => totalsVotes(q, i, pool[at] ?? [], unit))
      : totalsVotes(q, i, row, '');
    return withVoters(countRecordQuestion(ballot, q, votes, eligible, units), branches);
  });
}

/**
 * The branch figures of a verifiable ballot: its voting units (the pools, with their members
 * and electorate, as an office ballot's) and each pool's decrypted totals, in the same order
 * (crypto/branch-tally.ts), and the ballot's delegate models.
 */
export type BranchFigures = {
  units: UnitFacts[];
  totals: ReadonlyArray<Result>;
  /** Each pool's number of counted ballots (public): its voters, which its totals cannot tell. */
  voters: ReadonlyArray<number>;
  delegates: DelegateSettingsInput | null;
  /**
   * The shuffles kept the pools apart (crypto/pool-shuffle.ts): a ranked question's decrypted
   * rankings are the pools' in order, `voters[p]` each, and are counted pool by pool.
   */
  rankedPools?: boolean;
};

/** Each unit's voters are its pool's counted ballots, not the weighted votes its totals were laid out as. */
const withVoters = (r: QuestionResult, branches: BranchFigures | undefined): QuestionResult =>
  branches ? { ...r, byUnit: r.byUnit.map((u, i) => ({ ...u, voters: branches.voters[i] ?? 0 })) } : r;

/**
 * A homomorphic question's votes from its pools' totals, each vote in its pool's unit, so
 * that omov's engine counts the branch figures and the delegate comparison as an office
 * ballot's; the pools' totals must add up to the whole tally's (`whole`, rows of totals).
 */
function poolVotes(
  i: number,
  at: number,
  whole: ReadonlyArray<ReadonlyArray<bigint>>,
  branches: BranchFigures,
  votesOf: (pool: Result, unit: string) => StoredVote[],
): StoredVote[] {
  if (branches.totals.length !== branches.units.length)
    throw new RangeError(`${branches.totals.length} pools' totals for ${branches.units.length} units`);
  const adds = whole.every((r, j) =>
    r.every((x, a) => branches.totals.reduce((n, pool) => n + (resultTotals(pool[at + j] ?? [])[a] ?? 0n), 0n) === x),
  );
  if (!adds) throw new RangeError(`question ${i + 1}: the pools' totals do not add up to the whole tally's`);
  return branches.units.flatMap((u, p) => votesOf(branches.totals[p]!, u.name));
}

/** A homomorphic question's votes from its totals (blank first): one weighted vote per answer, the blank as abstentions. */
function totalsVotes(q: Question, i: number, row: Result[number], unit: string): StoredVote[] {
  const [blank, ...perAnswer] = resultTotals(row);
  if (blank === undefined || perAnswer.length !== q.options.length)
    throw new RangeError(`the result has no totals for question ${i + 1}'s ${q.options.length} answers`);
  return [
    ...(blank ? [{ unit, weight: String(blank), answers: { [q.id]: { kind: 'abstain' as const } } }] : []),
    ...perAnswer.flatMap((t, option) =>
      t === 0n
        ? []
        : [
            {
              unit,
              weight: String(t),
              answers: {
                [q.id]:
                  q.method === 'approval'
                    ? { kind: 'marks' as const, options: [option] }
                    : { kind: 'choice' as const, option },
              },
            },
          ],
    ),
  ];
}

/** The record of a verifiable ballot. Pure; counts nothing. */
export function buildVerifiableRecord(
  input: Omit<VerifiableRecord, 'format' | 'archive'> & { archive: { fileName: string; bytes: Uint8Array } },
): VerifiableRecord {
  const a = input.archive;
  const bytes = Buffer.from(a.bytes);
  return {
    format: VERIFIABLE_RECORD_FORMAT,
    ballot: { ...input.ballot, questions: [...input.ballot.questions].sort((x, y) => x.position - y.position) },
    archive: {
      fileName: a.fileName,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      base64: bytes.toString('base64'),
    },
    results: input.results,
    resultsHash: input.resultsHash,
    auditLog: [...input.auditLog].sort((x, y) => x.position - y.position),
    ...(input.proposals?.length ? { proposals: input.proposals } : {}),
    ...(input.branches ? { branches: input.branches } : {}),
  };
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const schema = z.object({
  format: z.literal(VERIFIABLE_RECORD_FORMAT),
  ballot: z
    .object({
      id: z.string().min(1),
      title: z.string(),
      questions: z
        .array(
          z
            .object({
              id: z.string().min(1),
              position: z.number().int().min(0),
              title: z.string(),
              method: z
                .string()
                .refine(
                  (m) => ['yesno', 'plurality', 'approval', 'score'].includes(m) || isRankedMethod(m),
                  'a method a verifiable ballot counts (yes/no, single choice, approval, score or a ranked method)',
                ),
              settings: z.record(z.string(), z.unknown()),
              options: z.array(
                z.object({ id: z.string(), position: z.number().int().min(0), label: z.string() }).loose(),
              ),
            })
            .loose(),
        )
        .min(1),
      mode: z.object({ kind: z.literal('verifiable') }).loose(),
    })
    .loose(),
  archive: z.object({
    fileName: z.string(),
    sha256: hex64,
    base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base 64'),
  }),
  results: z.array(z.object({ id: z.string() }).loose()),
  resultsHash: hex64,
  auditLog: z.array(auditEntrySchema),
  proposals: proposalsSectionSchema.optional(),
  branches: branchSectionSchema.optional(),
});

/** True for a parsed file that says it is a verifiable ballot's record (then verifyVerifiableRecord reads it). */
export const isVerifiableRecord = (data: unknown): boolean =>
  (data as { format?: unknown } | null)?.format === VERIFIABLE_RECORD_FORMAT;

const check = (id: string, name: string, problems: string[], passed: string, failed: string): Check => ({
  id,
  name,
  verdict: problems.length ? 'FAIL' : 'PASS',
  summary: problems.length ? failed : passed,
  problems,
});

/**
 * The checks of a verifiable ballot's record (their numbers continue the record's, see
 * docs/election-record.md): V1 format, V18 the archive (its hash, and every check belenios-tool
 * makes), V8 the results' hash, V9.n each question's published result against omov's count of
 * the archive's decrypted totals, V10 the audit log's chain, V19 the log's commitments name
 * this archive (the election and credentials at the open, the chain's head at the close, the
 * result and the results' hash when the trustees decrypted). verifyRecord adds V20 to V22, the
 * checks of the nominations, member proposals and statements, which an office ballot takes too.
 */
export function verifyVerifiableRecord(data: unknown): Verification {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 25)
      .map((i) => `${i.path.length ? i.path.join('.') : '(the file)'}: ${i.message}`);
    return {
      ok: false,
      malformed: true,
      ballot: null,
      checks: [check('V1', 'format', problems, '', 'this is not a well-formed record of a verifiable ballot')],
    };
  }
  const r = data as VerifiableRecord;
  const questions = [...r.ballot.questions].sort((a, b) => a.position - b.position);
  const checks: Check[] = [
    check(
      'V1',
      'format',
      [],
      `${r.format}: ballot "${r.ballot.title}", ${questions.length} question${questions.length === 1 ? '' : 's'}, its Belenios archive ${r.archive.fileName}`,
      '',
    ),
  ];

  // V18: the archive is the one named by its hash, and it holds as belenios-tool checks it.
  const bytes = Buffer.from(r.archive.base64, 'base64');
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  let archive: ArchiveVerification | undefined;
  const archiveProblems: string[] = [];
  if (sha !== r.archive.sha256)
    archiveProblems.push(`archive.sha256 is ${r.archive.sha256}, but the archive hashes to ${sha}`);
  try {
    archive = verifyArchive(bytes);
    for (const c of archive.checks) if (!c.ok) archiveProblems.push(`${c.name}: ${c.detail}`);
    if (archive.ok && !archive.result)
      archiveProblems.push('result: the archive holds no result (the trustees had not decrypted the tally)');
  } catch (err) {
    archiveProblems.push(`the archive cannot be read: ${(err as Error).message}`);
  }
  const facts = archive?.facts;
  checks.push(
    check(
      'V18',
      'archive',
      archiveProblems,
      `${r.archive.fileName} (SHA-256 ${sha}): ${archive?.checks.map((c) => c.name).join(', ')} all hold, as belenios-tool checks them; ${facts?.voters ?? 0} of ${facts?.credentials ?? 0} credentials voted`,
      'the Belenios archive is not a sound record of the election',
    ),
  );

  // V8: the results are the ones stored with this hash.
  const hash = storedResults(r.results as QuestionResult[]).hash;
  checks.push(
    check(
      'V8',
      'results hash',
      hash === r.resultsHash ? [] : [`resultsHash is ${r.resultsHash}, but the results hash to ${hash}`],
      `the SHA-256 of the results is ${hash}, as stored when the trustees decrypted`,
      'the results are not the ones stored with this hash',
    ),
  );

  // V23: the branch figures' pools and decryptions, checked against the archive; their totals go to the recount.
  const closeEntry = r.auditLog.find((e) => e.subject === r.ballot.id && e.action === 'ballot.close');
  const branchCheck = r.branches
    ? checkBranchSection(r.branches, bytes, r.ballot, r.auditLog)
    : (closeEntry?.details as Record<string, unknown> | undefined)?.branchTallies !== undefined
      ? {
          check: check(
            'V23',
            'branch figures',
            ["the log's ballot.close entry records branch tallies, but the record has no branches section"],
            '',
            'the branch figures are missing',
          ),
          figures: undefined,
        }
      : undefined;

  // V9.n: each published result is omov's count of the archive's decrypted totals.
  let recount: QuestionResult[] | Error | undefined;
  if (branchCheck && !branchCheck.figures) recount = new Error("the branch figures' pools cannot be counted (see V23)");
  else if (archive?.result && facts) {
    try {
      recount = verifiableResults(
        r.ballot.id,
        questions as Question[],
        archive.result.map((q) =>
          q.some((x) => x.startsWith('[')) ? q.map((x) => JSON.parse(x) as number[]) : q.map(BigInt),
        ),
        facts.credentials,
        branchCheck?.figures,
      );
    } catch (err) {
      recount = err as Error;
    }
  }
  // Where each question's rows start in the archive's result (a score question has one per option).
  const starts = questions.map((_, i) =>
    questions.slice(0, i).reduce((n, x) => n + beleniosQuestionCount(x as Question), 0),
  );
  questions.forEach((q, i) => {
    const name = `count: question ${i + 1} "${q.title}"`;
    const published = r.results[i];
    const again = recount instanceof Error || recount === undefined ? undefined : recount[i];
    const problems: string[] = [];
    if (!published || published.id !== q.id) problems.push(`results has no entry for this question at results[${i}]`);
    else if (recount === undefined) problems.push('the archive holds no result to count (see V18)');
    else if (recount instanceof Error) problems.push(`the archive's result cannot be counted: ${recount.message}`);
    else if (canonicalJson(again) !== canonicalJson(published)) {
      const stated = archive!.result![starts[i]!]!;
      const pub = published as unknown as QuestionResult;
      problems.push(
        q.method === 'score'
          ? `published ${canonicalJson(pub.options)} with ${pub.abstentions} blank, but the archive's totals per score of its ${q.options.length} options give ${canonicalJson(again!.options)} with ${again!.abstentions} blank`
          : stated.some((x) => x.startsWith('['))
            ? `published ${canonicalJson(pub.options)} (elected: ${pub.elected.join(', ') || 'none'}), but the archive's ${stated.length} decrypted rankings give ${canonicalJson(again!.options)} (elected: ${again!.elected.join(', ') || 'none'})`
            : `published ${canonicalJson(pub.options)} with ${pub.abstentions} blank, but the archive's result is ${stated.slice(1).join(', ')} with ${stated[0]} blank`,
      );
    }
    checks.push({
      id: `V9.${i + 1}`,
      name,
      verdict: problems.length ? 'FAIL' : 'PASS',
      summary: problems.length
        ? `the published result of question ${i + 1} is not what the archive's decrypted totals give`
        : `${q.method}: counted from the archive's decrypted totals, identical to the published result (elected: ${again!.elected.join(', ') || 'none'})`,
      problems,
    });
  });
  if (r.results.length > questions.length)
    checks.push(check('V9', 'count: results', ['more results than questions'], '', 'more results than questions'));

  // V10: the log's chain.
  const log = r.auditLog;
  checks.push(
    check(
      'V10',
      'audit log',
      log.length ? checkAuditChain(log) : [],
      log.length
        ? `${log.length} entries, the hash chain holds (last hash ${log[log.length - 1]!.hash})`
        : '0 entries (the log is empty)',
      'the audit log has been changed',
    ),
  );

  // V19: the log's commitments name this archive.
  const one = (action: string) => log.filter((e) => e.subject === r.ballot.id && e.action === action);
  const problems: string[] = [];
  const expect = (action: string, field: string, want: unknown, what: string) => {
    const entries = one(action);
    if (entries.length !== 1) {
      problems.push(`the log has ${entries.length} ${action} entries for this ballot, not 1`);
      return;
    }
    const got = (entries[0]!.details as Record<string, unknown>)[field];
    if (String(got) !== String(want))
      problems.push(
        `entry ${entries[0]!.position} (${action}) records ${field} ${String(got)}, but ${what} is ${String(want)}`,
      );
  };
  if (facts) {
    expect('ballot.open', 'election', facts.electionHash, "the archive's election fingerprint");
    expect('ballot.open', 'credentials', facts.credentialsHash, "the hash of the archive's public credentials");
    expect('ballot.open', 'setupEvent', facts.setupEvent, "the archive's Setup event");
    expect('ballot.close', 'head', facts.tallyEvent, "the archive's EncryptedTally event");
    expect('ballot.close', 'counted', facts.voters, "the number of the archive's counted ballots");
    expect('ballot.result', 'result', facts.resultHash, "the hash of the archive's Result");
  } else problems.push('the archive could not be read (see V18)');
  expect('ballot.result', 'resultsHash', r.resultsHash, "the record's resultsHash");
  checks.push(
    check(
      'V19',
      'commitment: archive',
      problems,
      `the log's entries at the open, the close and the result name this archive: election fingerprint ${facts?.electionHash}, credentials ${facts?.credentialsHash}, Setup ${facts?.setupEvent}, board at the close ${facts?.tallyEvent}, result ${facts?.resultHash}, and the results' hash`,
      'the log did not commit to this archive or these results',
    ),
  );

  if (branchCheck) checks.push(branchCheck.check);

  return {
    ok: checks.every((c) => c.verdict === 'PASS'),
    malformed: false,
    ballot: { id: r.ballot.id, title: r.ballot.title },
    checks,
  };
}

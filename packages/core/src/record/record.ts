import crypto from 'node:crypto';
import type { AuditEntry } from '../domain/audit';
import type { DelegateSettingsInput, Question, StoredVote } from '../domain/ballot';
import {
  agendaResult,
  type AgendaSettings,
  firstStanding,
  type VersionsResult,
  type VersionsSettings,
} from '../domain/amendments';
import { withProcedures } from '../domain/positions';
import {
  countQuestion,
  questionElection,
  type QuestionResult,
  tallyOptions,
  type TurnoutRule,
  type UnitFacts,
  yesNoParadoxes,
} from '../domain/count';
import { pairwiseMatrix } from '../tally/methods/condorcet';
import { tally } from '../tally/index';
import type { Election, RankedBallot } from '../tally/types';
import { methodOf } from '../methods/index';
import { flipsSearched } from '../delegates/declared';
import { rat } from '../tally/rational';
import { canonicalJson, canonicalJsonChunks, StreamedList } from './canonical';
import type { RecordChain } from './chain';
import { type BranchElectorate, inclusionOrder, voteLeaf } from './commitments';
import type { RecordProposal } from './proposals';

export { voteLeaf };

/**
 * The election record: everything an auditor needs to re-check a closed ballot without
 * trusting the server — the questions, the turnout per branch, the voting units, every
 * vote (by receipt), the box's Merkle root, the published results and the audit log.
 * Written as canonical JSON, so the same ballot always gives the same bytes.
 * Every field is described in docs/election-record.md.
 */

/**
 * The record's layout. Format 2 names a yes/no count's papers with no choice `blank`
 * (`count.summary.blank`, as every other method does); format 1 named them `abstained`.
 * Format 3 counts a yes/no question's turnout, which its quorum is measured against, as
 * every member who returned the ballot: a member who abstained on the question is a blank
 * paper in its count (`blank` equals the question's `abstentions`); formats 1 and 2 left
 * abstainers out of the count, so their `blank` is "0". A record whose stored results were
 * counted before a change keeps its format, so that its results and their hash stay as
 * they were published, and `omov verify` recounts it by that format's rules.
 * Format 4 adds to each declared comparison that was counted its smallest flips (`flip`,
 * conference-flip.ts); formats 1 to 3 are recounted without them.
 * Format 5 adds, beside each branch meeting's position on an amended motion, what the
 * branch's own members decided by the ballot's agenda and by Condorcet (`procedures`,
 * positions.ts), and counts a score question's conference with the delegates' votes as
 * score papers (before, it failed); formats 1 to 4 are recounted without either.
 */
export const RECORD_FORMAT = 'omov-election-record/5';
export const RECORD_FORMATS = [
  'omov-election-record/1',
  'omov-election-record/2',
  'omov-election-record/3',
  'omov-election-record/4',
  RECORD_FORMAT,
] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

const summaryOf = (r: QuestionResult) => r.count.summary as Record<string, string | boolean | null> | undefined;

/**
 * The format of a record holding these results: 1 if a yes/no result was counted with
 * format 1's spelling, 2 if one left its abstainers out of the count (its `blank` is not
 * its `abstentions`), else 3. Where no one abstained the rules agree, and 3 is as true.
 */
export function recordFormatOf(results: readonly QuestionResult[]): RecordFormat {
  const motions = results.filter((r) => r.method === 'yesno');
  if (motions.some((r) => summaryOf(r)?.abstained !== undefined)) return RECORD_FORMATS[0];
  if (motions.some((r) => summaryOf(r)?.blank !== r.abstentions)) return RECORD_FORMATS[1];
  // A counted comparison stored without its flips was stored before format 4.
  if (
    results.some((r) =>
      r.comparisons?.some((c) => c.procedure !== null && c.flip === undefined && flipsSearched(c.declared)),
    )
  )
    return RECORD_FORMATS[2];
  // Branch positions on an amended motion stored without the branches' own decisions, or a
  // score question's conference failed as delegates' rankings did: before format 5.
  const rankedDelegates = (error: string | undefined) =>
    error?.startsWith('method score counts score ballots') === true;
  if (
    results.some(
      (r) =>
        (r.agenda && r.positions?.rows.some((row) => row.procedures === undefined)) ||
        (r.method === 'score' &&
          ((r.conference !== null && 'error' in r.conference && rankedDelegates(r.conference.error)) ||
            r.comparisons?.some((c) => rankedDelegates(c.error ?? undefined)))),
    )
  )
    return RECORD_FORMATS[3];
  return RECORD_FORMAT;
}

/** Whether results of `format` were counted by the rules `since` brought in. */
const countedFrom = (format: RecordFormat, since: RecordFormat): boolean =>
  RECORD_FORMATS.indexOf(format) >= RECORD_FORMATS.indexOf(since);

/** countQuestion by the rules of `format`: the one place each format's rules are passed on. */
const countByFormat = (
  ballot: Pick<RecordBallot, 'id' | 'delegates'>,
  q: Question,
  votes: StoredVote[],
  eligible: number,
  units: UnitFacts[],
  format: RecordFormat,
): QuestionResult =>
  countQuestion(
    q,
    votes,
    rat(eligible),
    ballot.id,
    units,
    ballot.delegates,
    turnoutRuleOf(format),
    countedFrom(format, RECORD_FORMATS[3]),
    countedFrom(format, RECORD_FORMAT),
  );

/** How a record of `format` counts a yes/no question's turnout. */
export const turnoutRuleOf = (format: RecordFormat): TurnoutRule =>
  format === RECORD_FORMATS[0] || format === RECORD_FORMATS[1] ? 'question' : 'ballot';

/** A result as a record of `format` spells it: format 1's yes/no summary says `abstained` for `blank`. */
export function inFormat(result: QuestionResult, format: RecordFormat): QuestionResult {
  const summary = summaryOf(result);
  if (format !== RECORD_FORMATS[0] || result.method !== 'yesno' || !summary || summary.blank === undefined)
    return result;
  const { blank, ...rest } = summary;
  return { ...result, count: { ...result.count, summary: { ...rest, abstained: blank } } };
}

export type ReceiptPolicy = 'inclusion' | 'choices';

export type RecordBallot = {
  id: string;
  title: string;
  description: string;
  /** ISO 8601, UTC, millisecond precision. */
  opensAt: string;
  closesAt: string;
  /** The zone (IANA name) the ballot's times were shown in to members. */
  timeZone: string;
  /** When the ballot was actually opened and closed (null only if the server lost it). */
  openedAt: string | null;
  closedAt: string | null;
  k: number;
  receiptPolicy: ReceiptPolicy;
  voterListVisible: boolean;
  questions: Question[];
  delegates: DelegateSettingsInput | null;
};

export type BranchTurnoutFigures = {
  branch: string;
  eligible: number;
  voted: number;
  /** The sum of the weights of the branch's members in the electorate (absent from records made before it was kept). */
  weight?: string;
};

/** The voting tokens, by their hashes (hex, ascending): what the commitments at open and close cover. */
export type RecordTokens = {
  /** Issued when the ballot opened: their root is the one the log's open commitment holds. */
  atOpen: string[];
  /** Issued later (a member added to the electorate, a link sent again): one per such log entry. */
  later: string[];
  /** Used to vote: each one issued, their root is the one the log's close holds. */
  used: string[];
};

export type RecordElectorate = {
  /** Voting tokens issued (members in the electorate). */
  eligible: number;
  /** Tokens used (members who voted). */
  voted: number;
  /** By branch name, sorted by name (UTF-16 code units). Turnout only: no vote figures. */
  byBranch: BranchTurnoutFigures[];
};

export type ElectionRecord = {
  format: RecordFormat;
  ballot: RecordBallot;
  electorate: RecordElectorate;
  units: UnitFacts[];
  /**
   * In published order. Under `choices`, each with its receipt, by receipt code (UTF-16 code
   * units; receipts are ASCII). Under `inclusion`, without receipts, by their leaves: nothing
   * pairs a receipt with answers.
   */
  votes: StoredVote[];
  /** Every receipt code, in code order. */
  receipts: { policy: ReceiptPolicy; codes: string[] };
  /** The Merkle root (RFC 6962, SHA-256) fixed at close, see boxRoot in ./commitments. */
  boxRoot: string;
  /** The token hashes the commitments cover (absent from records made before they were kept). */
  tokens?: RecordTokens;
  /**
   * The box's chain: the SHA-256 of every sealed vote that reached the box, in chain order,
   * and the server's signed checkpoints over it (absent from records of ballots opened
   * before the chain was kept). See ./chain.
   */
  chain?: RecordChain;
  /** One per question, in question order, as countQuestion returns it: counted once, at close, and stored. */
  results: QuestionResult[];
  /** storedResults(results).hash, stored with them at close (absent from records made before it was kept). */
  resultsHash: string;
  /** The organisation's audit log up to the export, in position order. */
  auditLog: AuditEntry[];
  /**
   * The member proposals on the ballot (./proposals.ts), in question order; absent when there
   * are none, and from records made before the section was kept.
   */
  proposals?: RecordProposal[];
};

/** Code-unit order, the order of JavaScript's `<` (and byte order for ASCII). */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The one place results are computed for the record, and re-computed by the verifier:
 * the eligible weight is the number of members in the electorate, the seed base is the
 * ballot's id, and the rules are those of the record's `format` (the current one at close).
 */
export function countRecordQuestion(
  ballot: Pick<RecordBallot, 'id' | 'delegates' | 'questions'>,
  q: Question,
  votes: StoredVote[],
  eligible: number,
  units: UnitFacts[],
  format: RecordFormat = RECORD_FORMAT,
  /** An amended question's version question's votes, where they are not in `votes` (a verifiable ballot's shuffled rankings). */
  versionVotes?: StoredVote[],
): QuestionResult {
  // An amended question's options, ranked over every version: counted over the adopted version's.
  const versions = (q.settings as { versions?: VersionsSettings }).versions;
  if (versions) return countOverVersions(ballot, q, versions, votes, eligible, units, format, versionVotes ?? votes);
  const result = countByFormat(ballot, q, votes, eligible, units, format);
  // Present only when a paradox occurs: results stored before it was looked for stay as they were.
  const paradoxes = methodOf(q.method).motion ? yesNoParadoxes(ballot.questions, votes) : [];
  const withParadoxes = paradoxes.length ? { ...result, paradoxes } : result;
  // An amended motion's question: the conference's sequential agenda beside the Condorcet count.
  const agenda = (q.settings as { agenda?: AgendaSettings }).agenda;
  if (!agenda) return withParadoxes;
  const pw = pairwiseMatrix(questionElection(q, votes, q.title) as Election<RankedBallot>);
  const labels = q.options.map((o) => o.label);
  // Branch meetings' positions also beside each unit's own run of the agenda and its Condorcet winner.
  const unitPairwise = () =>
    new Map(
      units.map((u) => [
        u.name,
        pairwiseMatrix(
          questionElection(
            q,
            votes.filter((v) => v.unit === u.name),
            u.name,
          ) as Election<RankedBallot>,
        ),
      ]),
    );
  return {
    ...withParadoxes,
    agenda: agendaResult(agenda, labels, pw),
    ...(withParadoxes.positions && countedFrom(format, RECORD_FORMAT)
      ? { positions: withProcedures(withParadoxes.positions, agenda, labels, unitPairwise()) }
      : {}),
  };
}

/**
 * An amended question (docs/proposals.md#amendments-to-a-question): the version question's
 * declared agenda adopts a version; this question, whose options are every version's, is
 * counted by the proposal's method (one choice) over the adopted version's options only:
 * the others are struck from each ranking, so each member's vote is their highest-ranked
 * option still standing. When the Condorcet count (Schulze) elected another version, the
 * result says what the count would have been under it.
 */
function countOverVersions(
  ballot: Pick<RecordBallot, 'id' | 'delegates' | 'questions'>,
  q: Question,
  versions: VersionsSettings,
  votes: StoredVote[],
  eligible: number,
  units: UnitFacts[],
  format: RecordFormat,
  versionVotes: StoredVote[],
): QuestionResult {
  const vq = ballot.questions.find((x) => x.title === versions.question);
  const agenda = (vq?.settings as { agenda?: AgendaSettings } | undefined)?.agenda;
  if (!vq || !agenda || vq.options.length !== versions.options.length)
    throw new RangeError(`question "${q.title}": the ballot has no version question "${versions.question}"`);
  const labels = vq.options.map((o) => o.label);
  const ranked = questionElection(vq, versionVotes, vq.title) as Election<RankedBallot>;
  const adopted = labels.indexOf(agendaResult(agenda, labels, pairwiseMatrix(ranked)).outcome);
  const condorcetLabel = tally(
    ranked as Election<never>,
    tallyOptions(vq, rat(eligible), `${ballot.id}:${vq.position}`),
  ).elected[0];
  const condorcet = condorcetLabel === undefined ? adopted : labels.indexOf(condorcetLabel);
  const over = (version: number) => {
    const standing = versions.options[version]!;
    const kept = new Set(standing);
    // The version's options in the union's order, and each member's first choice still standing among them.
    const order = q.options.map((_, i) => i).filter((i) => kept.has(i));
    const counted: Question = {
      ...q,
      method: 'plurality',
      settings: {},
      options: order.map((i, position) => ({ ...q.options[i]!, position })),
    };
    const choices: StoredVote[] = votes.map((v) => {
      const a = v.answers[q.id];
      const first = a?.kind === 'ranking' ? firstStanding(a.options, kept) : null;
      return {
        ...v,
        answers: {
          ...v.answers,
          [q.id]: first === null ? { kind: 'abstain' } : { kind: 'choice', option: order.indexOf(first) },
        },
      };
    });
    const result = countByFormat(ballot, counted, choices, eligible, units, format);
    const struck = q.options.filter((_, i) => !kept.has(i)).map((o) => o.label);
    return { result, struck };
  };
  const main = over(adopted);
  const other = condorcet === adopted ? null : over(condorcet);
  const summary: VersionsResult = {
    question: vq.title,
    adopted: labels[adopted]!,
    condorcet: labels[condorcet]!,
    struck: main.struck,
    otherwise: other && {
      version: labels[condorcet]!,
      struck: other.struck,
      options: other.result.options,
      elected: other.result.elected,
    },
  };
  return { ...main.result, versions: summary };
}

/** Every question of a ballot counted, in question order: what is stored at close. */
export function countRecord(
  ballot: Pick<RecordBallot, 'id' | 'delegates' | 'questions'>,
  votes: StoredVote[],
  eligible: number,
  units: UnitFacts[],
  format: RecordFormat = RECORD_FORMAT,
): QuestionResult[] {
  return [...ballot.questions]
    .sort((a, b) => a.position - b.position)
    .map((q) => countRecordQuestion(ballot, q, votes, eligible, units, format));
}

/** The stored form of results: their canonical JSON, and its SHA-256 (hex) as their hash. */
export function storedResults(results: QuestionResult[]): { json: string; hash: string } {
  const json = canonicalJson(results);
  return { json, hash: crypto.createHash('sha256').update(json, 'utf8').digest('hex') };
}

export type RecordInput = {
  ballot: RecordBallot;
  byBranch: Array<BranchTurnoutFigures & Partial<Pick<BranchElectorate, 'weight'>>>;
  units: UnitFacts[];
  votes: StoredVote[];
  /** Under `inclusion`, the receipts kept apart from the votes. */
  receipts: string[];
  boxRoot: string;
  tokens: RecordTokens | null;
  chain: RecordChain | null;
  /** As stored at close (countRecord), with their hash: the record shows what the server serves. */
  results: QuestionResult[];
  resultsHash: string;
  auditLog: AuditEntry[];
  /** The member proposals on the ballot; none: no section. */
  proposals?: RecordProposal[];
};

/** Builds the record of a closed ballot from what the server holds. Pure; counts nothing. */
export function buildRecord(input: RecordInput): ElectionRecord {
  const byBranch = [...input.byBranch].sort((a, b) => byCodeUnits(a.branch, b.branch));
  const eligible = byBranch.reduce((n, b) => n + b.eligible, 0);
  const voted = byBranch.reduce((n, b) => n + b.voted, 0);
  const questions = [...input.ballot.questions].sort((a, b) => a.position - b.position);
  const ballot = { ...input.ballot, questions };
  const choices = ballot.receiptPolicy === 'choices';
  const votes: StoredVote[] = choices
    ? [...input.votes].sort((a, b) => byCodeUnits(a.receipt ?? '', b.receipt ?? ''))
    : inclusionOrder(input.votes.map(({ receipt: _, ...v }) => v));
  const codes = choices ? votes.map((v) => v.receipt ?? '') : [...input.receipts].sort(byCodeUnits);
  return {
    format: recordFormatOf(input.results),
    ballot,
    electorate: { eligible, voted, byBranch },
    units: input.units,
    votes,
    receipts: { policy: ballot.receiptPolicy, codes },
    boxRoot: input.boxRoot,
    ...(input.tokens ? { tokens: input.tokens } : {}),
    ...(input.chain ? { chain: input.chain } : {}),
    results: input.results,
    resultsHash: input.resultsHash,
    auditLog: [...input.auditLog].sort((a, b) => a.position - b.position),
    ...(input.proposals?.length ? { proposals: input.proposals } : {}),
  };
}

/** The long parts of a record, read as they are written: each already in the record's order. */
export type StreamedRecordInput = Omit<RecordInput, 'votes' | 'receipts' | 'tokens'> & {
  /** In published order (see ElectionRecord.votes): by receipt under `choices`, by leaf and without receipts under `inclusion`. */
  votes: AsyncIterable<StoredVote>;
  /** Every receipt code, in code order. */
  codes: AsyncIterable<string>;
  tokens: { [K in keyof RecordTokens]: AsyncIterable<string> } | null;
};

/**
 * The record's file (recordBytes of the same record) in chunks, never whole in memory: the
 * votes, receipts and tokens are written as they are read. Everything else is buildRecord's.
 */
export function recordChunks(input: StreamedRecordInput): AsyncGenerator<string> {
  const { votes, codes, tokens, ...rest } = input;
  const noTokens = { atOpen: [], later: [], used: [] };
  const head = buildRecord({ ...rest, votes: [], receipts: [], tokens: tokens ? noTokens : null });
  return canonicalJsonChunks({
    ...head,
    votes: new StreamedList(votes),
    receipts: { ...head.receipts, codes: new StreamedList(codes) },
    ...(tokens && {
      tokens: {
        atOpen: new StreamedList(tokens.atOpen),
        later: new StreamedList(tokens.later),
        used: new StreamedList(tokens.used),
      },
    }),
  });
}

/** The record as a file: its canonical JSON, UTF-8, no trailing newline. */
export function recordBytes(record: ElectionRecord): string {
  return canonicalJson(record);
}

/** The file name offered for a ballot's record. */
export function recordFileName(ballotId: string): string {
  return `omov-record-${ballotId}.json`;
}

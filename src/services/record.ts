import * as audit from '../data/audit';
import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as box from '../data/ballot-box';
import type { StoredVote } from '../data/ballot-box';
import * as chain from '../data/chain';
import * as electorate from '../data/electorate';
import type { Principal } from '../data/organisations';
import type { Db } from '../db/database';
import type { UnitFacts } from '@omov/core/domain/count';
import { branchRecord } from './verifiable-branches';
import { inclusionOrder, normaliseDecimal } from '@omov/core/record/commitments';
import { recordChunks, recordFileName } from '@omov/core/record/record';
import { requireBallotVisible, requireState } from './access';
import type { AuditEntry } from '@omov/core/domain/audit';
import { record as logAction } from './audit';
import type { AppContext } from './context';
import { conflict, notFound } from './errors';
import { storedResultsIn } from './results';
import { ballotDefinition } from './commitments';
import * as verifiableEvents from '../data/verifiable';
import { canonicalJson } from '@omov/core/record/canonical';
import { buildVerifiableRecord } from '@omov/core/record/verifiable';
import { archiveOf } from './verifiable';
import { recordProposals } from './record-proposals';

/**
 * The election record of a closed (or published) ballot, read in one snapshot of the
 * database so that its parts agree with each other, and written out in chunks as it is read:
 * the votes, receipts and token hashes come from the database in batches, so the record is
 * never whole in memory. Reading it changes nothing, so the same ballot exports the same
 * bytes until its organisation's log grows.
 */

/** What is known of a record before its first byte: enough for a download's headers and a summary. */
export type RecordHead = {
  fileName: string;
  title: string;
  /** The box root of an office ballot; a verifiable ballot has none (null): its record holds its Belenios archive. */
  boxRoot: string | null;
  /** The SHA-256 of a verifiable ballot's archive, which its record holds. */
  archive?: string;
  votes: number;
};

/** Where a record goes: `start` once the ballot is known to have one, then every chunk, in order. */
export type RecordSink = { start(head: RecordHead): void; write(chunk: string): Promise<void> };

/**
 * The organisation's log up to the ballot's last close or publish entry: a prefix of the
 * chain, which verifies on its own, and which later actions (sign-ins, exports of this very
 * record) do not change — so the same ballot always exports the same bytes.
 */
function logUpTo(log: AuditEntry[], ballotId: string): AuditEntry[] {
  let end = 0;
  log.forEach((e, i) => {
    if (e.subject === ballotId && ['ballot.close', 'ballot.publish', 'ballot.result'].includes(e.action)) end = i + 1;
  });
  return log.slice(0, end);
}

/** The votes in the record's order: from their positions, or sorted here for a ballot closed before they were kept. */
async function* publishedVotes(tx: Db, b: BallotRow): AsyncGenerator<StoredVote> {
  if (await box.votesNumbered(tx, b.id)) {
    yield* box.votesInPublishedOrder(tx, b.id);
    return;
  }
  const votes = await box.listVotes(tx, b.id);
  yield* b.receiptPolicy === 'choices' ? votes : inclusionOrder(votes);
}

async function writeRecord(
  db: Db,
  find: (tx: Db) => Promise<BallotRow | undefined>,
  sink: RecordSink,
): Promise<RecordHead> {
  // Repeatable read: the votes, the turnout and the log are read as of one moment.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const b = await find(tx);
      if (!b) throw notFound('ballot');
      requireState(b, 'export-record');
      if (b.mode.kind === 'verifiable') return writeVerifiableRecord(tx, b, sink);
      if (b.boxRoot === null || b.units === null)
        throw conflict('the ballot was closed without a ballot box root: it has no election record');
      const [questions, turnout, weights, tokens, boxChain, log, stored] = await Promise.all([
        ballots.listQuestions(tx, b.id),
        electorate.turnoutByBranch(tx, b.id),
        electorate.electorateByBranch(tx, b.id),
        electorate.hasIssuedTokens(tx, b.id),
        chain.listChain(tx, b.id),
        audit.listAudit(tx, b.organisationId),
        storedResultsIn(tx, b),
      ]);
      const weightOf = new Map(weights.map((w) => [w.branch, w.weight]));
      const proposals = await recordProposals(tx, b.id, questions);
      const ballot = recordBallot(b, questions);
      const head: RecordHead = {
        fileName: recordFileName(b.id),
        title: ballot.title,
        boxRoot: b.boxRoot,
        votes: turnout.reduce((n, t) => n + Number(t.voted), 0),
      };
      const chunks = recordChunks({
        ballot,
        byBranch: turnout.map((t) => ({
          branch: t.branch,
          eligible: Number(t.eligible),
          voted: Number(t.voted),
          weight: normaliseDecimal(weightOf.get(t.branch) ?? '0'),
        })),
        units: b.units as UnitFacts[],
        votes: publishedVotes(tx, b),
        codes: box.receiptsInCodeOrder(tx, b.id),
        // Ballots opened before the commitments were made issued none into the list.
        tokens: tokens
          ? {
              atOpen: electorate.issuedTokenHashes(tx, b.id, { atOpen: true }),
              later: electorate.issuedTokenHashes(tx, b.id, { atOpen: false }),
              used: electorate.issuedTokenHashes(tx, b.id, { used: true }),
            }
          : null,
        // Ballots opened before the chain was kept have no checkpoint.
        chain: boxChain.checkpoints.length ? boxChain : null,
        boxRoot: b.boxRoot,
        // As stored at close, not counted again: the record shows what the server serves.
        results: stored.questions,
        resultsHash: stored.resultsHash,
        auditLog: logUpTo(log, b.id),
        proposals,
      });
      sink.start(head);
      for await (const chunk of chunks) await sink.write(chunk);
      return head;
    });
}

/** The ballot as every record states it: its definition, its times and its rules of publication. */
function recordBallot(b: BallotRow, questions: Awaited<ReturnType<typeof ballots.listQuestions>>) {
  const { title, description, k, receiptPolicy, voterListVisible, delegates } = ballotDefinition(b, questions);
  return {
    id: b.id,
    title,
    description,
    opensAt: b.opensAt.toISOString(),
    closesAt: b.closesAt.toISOString(),
    timeZone: b.timeZone,
    openedAt: b.openedAt?.toISOString() ?? null,
    closedAt: b.closedAt?.toISOString() ?? null,
    k,
    receiptPolicy,
    voterListVisible,
    questions,
    delegates,
  };
}

/**
 * A verifiable ballot's record (docs/election-record.md): its definition, its Belenios archive
 * whole, the results stored when the trustees decrypted, the log up to that result, and its
 * member proposals (the `proposals` section, as an office ballot's record has it). Written
 * in one piece: the archive is read whole to be written (beleniosArchive does the same).
 */
async function writeVerifiableRecord(tx: Db, b: BallotRow, sink: RecordSink): Promise<RecordHead> {
  if (b.mode.kind !== 'verifiable') throw new Error('not a verifiable ballot');
  const [questions, stored, log, archive, board] = await Promise.all([
    ballots.listQuestions(tx, b.id),
    storedResultsIn(tx, b),
    audit.listAudit(tx, b.organisationId),
    archiveOf(tx, b.id),
    verifiableEvents.listEvents(tx, b.id, 'Ballot'),
  ]);
  const branches = await branchRecord(tx, b.id);
  const record = buildVerifiableRecord({
    ballot: { ...recordBallot(b, questions), mode: b.mode },
    archive,
    results: stored.questions,
    resultsHash: stored.resultsHash!,
    auditLog: logUpTo(log, b.id),
    // The same section as an office ballot's record, for the same checks (V22).
    proposals: await recordProposals(tx, b.id, questions),
    branches: branches && { ...branches, units: (b.units ?? []) as UnitFacts[] },
  });
  const head: RecordHead = {
    fileName: recordFileName(b.id),
    title: record.ballot.title,
    boxRoot: null,
    archive: record.archive.sha256,
    votes: new Set(board.map((e) => e.credential)).size,
  };
  sink.start(head);
  await sink.write(canonicalJson(record));
  return head;
}

/** For the API: the record of a ballot of the caller's organisation. The export is logged. */
export async function ballotRecord(ctx: AppContext, p: Principal, id: string, sink: RecordSink): Promise<RecordHead> {
  requireBallotVisible(p, id);
  const head = await writeRecord(ctx.db, (tx) => ballots.findBallot(tx, p.organisationId, id), sink);
  await logAction(ctx.db, p, 'record.export', id, head.archive ? { archive: head.archive } : { boxRoot: head.boxRoot });
  return head;
}

/** For `omov export`, run by whoever operates the server and its database. */
export async function ballotRecordById(db: Db, id: string, sink: RecordSink): Promise<RecordHead> {
  return writeRecord(db, (tx) => ballots.findBallotById(tx, id), sink);
}

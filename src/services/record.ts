import * as audit from '../data/audit';
import * as ballots from '../data/ballots';
import type { BallotRow } from '../data/ballots';
import * as box from '../data/ballot-box';
import * as chain from '../data/chain';
import * as electorate from '../data/electorate';
import type { Principal } from '../data/organisations';
import type { Db } from '../db/database';
import { normaliseDecimal } from '@omov/core/record/commitments';
import type { UnitFacts } from '@omov/core/domain/count';
import { buildRecord, type ElectionRecord, recordBytes, recordFileName } from '@omov/core/record/record';
import { requireBallotVisible, requireState } from './access';
import type { AuditEntry } from '@omov/core/domain/audit';
import { record as logAction } from './audit';
import type { AppContext } from './context';
import { conflict, notFound } from './errors';
import { storedResultsIn } from './results';
import { ballotDefinition, tokenLists } from './commitments';

/**
 * The election record of a closed (or published) ballot, gathered in one snapshot of
 * the database so that its parts agree with each other. Reading it changes nothing, so
 * the same ballot exports the same bytes until its organisation's log grows.
 */

export type RecordFile = { record: ElectionRecord; bytes: string; fileName: string };

/**
 * The organisation's log up to the ballot's last close or publish entry: a prefix of the
 * chain, which verifies on its own, and which later actions (sign-ins, exports of this very
 * record) do not change — so the same ballot always exports the same bytes.
 */
function logUpTo(log: AuditEntry[], ballotId: string): AuditEntry[] {
  let end = 0;
  log.forEach((e, i) => {
    if (e.subject === ballotId && (e.action === 'ballot.close' || e.action === 'ballot.publish')) end = i + 1;
  });
  return log.slice(0, end);
}

async function gather(db: Db, find: (tx: Db) => Promise<BallotRow | undefined>): Promise<RecordFile> {
  // Repeatable read: the votes, the turnout and the log are read as of one moment.
  const record = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const b = await find(tx);
      if (!b) throw notFound('ballot');
      requireState(b, 'export-record');
      if (b.boxRoot === null || b.units === null)
        throw conflict('the ballot was closed without a ballot box root: it has no election record');
      const [questions, turnout, weights, votes, receipts, tokens, boxChain, log, stored] = await Promise.all([
        ballots.listQuestions(tx, b.id),
        electorate.turnoutByBranch(tx, b.id),
        electorate.electorateByBranch(tx, b.id),
        box.listVotes(tx, b.id),
        box.listReceipts(tx, b.id),
        tokenLists(tx, b.id),
        chain.listChain(tx, b.id),
        audit.listAudit(tx, b.organisationId),
        storedResultsIn(tx, b),
      ]);
      const weightOf = new Map(weights.map((w) => [w.branch, w.weight]));
      const { title, description, k, receiptPolicy, voterListVisible, delegates } = ballotDefinition(b, questions);
      return buildRecord({
        ballot: {
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
        },
        byBranch: turnout.map((t) => ({
          branch: t.branch,
          eligible: Number(t.eligible),
          voted: Number(t.voted),
          weight: normaliseDecimal(weightOf.get(t.branch) ?? '0'),
        })),
        units: b.units as UnitFacts[],
        votes,
        receipts,
        // Ballots opened before the commitments were made issued none into the list.
        tokens: tokens.atOpen.length || tokens.later.length ? tokens : null,
        // Ballots opened before the chain was kept have no checkpoint.
        chain: boxChain.checkpoints.length ? boxChain : null,
        boxRoot: b.boxRoot,
        // As stored at close, not counted again: the record shows what the server serves.
        results: stored.questions,
        resultsHash: stored.resultsHash,
        auditLog: logUpTo(log, b.id),
      });
    });
  return { record, bytes: recordBytes(record), fileName: recordFileName(record.ballot.id) };
}

/** For the API: the record of a ballot of the caller's organisation. The export is logged. */
export async function ballotRecord(ctx: AppContext, p: Principal, id: string): Promise<RecordFile> {
  requireBallotVisible(p, id);
  const file = await gather(ctx.db, (tx) => ballots.findBallot(tx, p.organisationId, id));
  await logAction(ctx.db, p, 'record.export', id, { boxRoot: file.record.boxRoot });
  return file;
}

/** For `omov export`, run by whoever operates the server and its database. */
export async function ballotRecordById(db: Db, id: string): Promise<RecordFile> {
  return gather(db, (tx) => ballots.findBallotById(tx, id));
}

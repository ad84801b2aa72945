import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { StoredVote } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { countRecord, type ReceiptPolicy, type RecordBallot, storedResults } from '@omov/core/record/record';
import {
  type BallotPaper,
  type BranchUsed,
  type OpenedPapers,
  openPaperWith,
  reconcilePapers,
  Unreconciled,
} from './box-opening';

/**
 * The close's worker thread (started by CloseThread in close-thread.ts, one per close): it
 * decrypts the sealed papers as the main thread reads them from the box, reconciles and
 * orders them, hands the votes back in batches to be written, then counts every question
 * with the core's countRecord. Off the server's event loop: at 50,000 votes the opening and
 * the count take seconds (the delegate comparisons and their searches much longer), and every
 * other request would wait behind them. It is handed the ballot's box key, never the
 * server's secret, and logs nothing.
 */

/** A vote as written to box.votes (answers as JSON text), in published order. */
export type VoteRow = { unit: string; weight: string; receipt: string | null; answers: string };

export type ToCloseWorker =
  | { key: KeyObject }
  | { sealed: string[] }
  | { reconcile: { used: BranchUsed[]; k: number; policy: ReceiptPolicy } }
  | { next: true }
  | { votes: StoredVote[] }
  | { count: { ballot: Pick<RecordBallot, 'id' | 'delegates' | 'questions'>; eligible: number; units: UnitFacts[] } };

export type FromCloseWorker =
  | { opened: Pick<OpenedPapers, 'units' | 'root' | 'byBranch'> & { votes: number } }
  | { unreconciled: string }
  | { batch: { votes: VoteRow[]; codes: string[] } | null }
  | { counted: { json: string; hash: string } }
  | { failed: string };

/** Votes per batch handed back to be written: one INSERT each. */
const BATCH = 1000;

const port = parentPort!;
let key: KeyObject | undefined;
let papers: BallotPaper[] = [];
let opened: OpenedPapers | undefined;
/** The votes counted: the opened box's, or those the main thread hands over (a ballot closed before results were stored). */
let votes: StoredVote[] = [];
let written = 0;
/** The first failure; every later request answers with it. */
let failure: string | undefined;

port.on('message', (m: ToCloseWorker) => {
  if (failure !== undefined) {
    // Sealed papers and votes are sent without waiting for an answer: the failure is the answer to the next request.
    if (!('sealed' in m || 'votes' in m || 'key' in m)) port.postMessage({ failed: failure } satisfies FromCloseWorker);
    return;
  }
  try {
    const answer = handle(m);
    if (answer) port.postMessage(answer);
  } catch (e) {
    if (e instanceof Unreconciled) return port.postMessage({ unreconciled: e.message } satisfies FromCloseWorker);
    failure = e instanceof Error ? e.message : String(e);
    // Papers and votes are let go at once: the close has failed.
    papers = [];
    votes = [];
    opened = undefined;
    if (!('sealed' in m || 'votes' in m || 'key' in m)) port.postMessage({ failed: failure } satisfies FromCloseWorker);
  }
});

function handle(m: ToCloseWorker): FromCloseWorker | undefined {
  if ('key' in m) {
    key = m.key;
    return undefined;
  }
  if ('sealed' in m) {
    if (!key) throw new Error('sealed papers came before the box key');
    for (const s of m.sealed) papers.push(openPaperWith(key, s));
    return undefined;
  }
  if ('reconcile' in m) {
    const { used, k, policy } = m.reconcile;
    opened = reconcilePapers(papers, used, k, policy);
    papers = [];
    votes = opened.votes;
    const { units, root, byBranch } = opened;
    return { opened: { units, root, byBranch, votes: votes.length } };
  }
  if ('next' in m) {
    if (!opened) throw new Error('no box was opened');
    const slice = opened.votes.slice(written, written + BATCH);
    if (!slice.length) return { batch: null };
    const codes = opened.codes.slice(written, written + BATCH);
    written += slice.length;
    return {
      batch: {
        votes: slice.map((v) => ({
          unit: v.unit,
          weight: v.weight,
          receipt: v.receipt ?? null,
          answers: JSON.stringify(v.answers),
        })),
        codes,
      },
    };
  }
  if ('votes' in m) {
    for (const v of m.votes) votes.push(v);
    return undefined;
  }
  const { ballot, eligible, units } = m.count;
  const counted = storedResults(countRecord(ballot, votes, eligible, units));
  votes = [];
  opened = undefined;
  return { counted };
}

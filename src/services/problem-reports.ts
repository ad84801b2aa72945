import crypto from 'node:crypto';
import * as audit from '../data/audit';
import * as ballots from '../data/ballots';
import type { Principal } from '../data/organisations';
import * as reports from '../data/problem-reports';
import { storableText, TEXT_RULE_MESSAGE } from '@omov/core/domain/text';
import { requireBallotVisible } from './access';
import { mailAuditors, record } from './audit';
import type { AppContext } from './context';
import { invalid, notFound } from './errors';
import { consume } from './rate-limits';

/**
 * "Report a problem": a member tells the ballot's auditors, not only the office, that
 * something is wrong (a link that says "already used" when they did not vote, a receipt
 * missing from the board). No sign-in and no voting link: a member whose link was stolen
 * has nothing else. The report holds the member's text and nothing more, so it says no
 * more about who voted than the member writes. It is mailed to every auditor of the
 * ballot at once, kept for them (and the office) to read, and its hash is entered in the
 * hash-chained audit log, whose count of reports the bulletin board shows: the office can
 * read a report, but cannot make one disappear without the auditors being able to notice.
 */

export const PROBLEM_REPORTED = 'problem.reported';
export const REPORT_MAX_CHARACTERS = 4000;

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

/** The report's text as kept, or why it cannot be. */
export function reportText(raw: string): string {
  const text = raw.replace(/\r\n?/g, '\n').trim();
  if (!storableText(text)) throw invalid(`text ${TEXT_RULE_MESSAGE}`, [{ path: 'text', message: TEXT_RULE_MESSAGE }]);
  if (!text) throw invalid('text: say what went wrong', [{ path: 'text', message: 'say what went wrong' }]);
  if ([...text].length > REPORT_MAX_CHARACTERS) {
    const message = `at most ${REPORT_MAX_CHARACTERS} characters`;
    throw invalid(`text: ${message}`, [{ path: 'text', message }]);
  }
  return text;
}

/** A ballot members can report about: any ballot that has opened. */
async function reportableBallot(ctx: AppContext, ballotId: string) {
  const b = await ballots.findBallotById(ctx.db, ballotId);
  if (!b || b.status === 'draft') throw notFound('ballot');
  return b;
}

/** What the report form shows of the ballot it is about. */
export async function ballotToReport(ctx: AppContext, ballotId: string): Promise<{ id: string; title: string }> {
  const b = await reportableBallot(ctx, ballotId);
  return { id: b.id, title: b.title };
}

/** Takes a member's report: kept, logged and mailed to every auditor of the ballot, in one transaction. */
export async function reportProblem(
  ctx: AppContext,
  ballotId: string,
  rawText: string,
  address: string,
): Promise<{ auditors: number }> {
  const text = reportText(rawText);
  const b = await reportableBallot(ctx, ballotId);
  await consume(ctx, 'problemReportPerAddress', address);
  await consume(ctx, 'problemReportPerBallot', b.id);
  const textHash = sha256(text);
  return ctx.db.transaction().execute(async (tx) => {
    const kept = await reports.insertReport(tx, { ballotId: b.id, text, textHash });
    const entry = await record(
      tx,
      { system: 'member-report', organisationId: b.organisationId },
      PROBLEM_REPORTED,
      b.id,
      {
        report: kept.id,
        textHash,
      },
    );
    const auditors = await mailAuditors(tx, b, 'problem-report', {
      ballotId: b.id,
      receivedAt: kept.receivedAt.toISOString(),
      text,
      textHash,
      reportEntry: String(entry.position),
      reportHash: entry.hash,
    });
    return { auditors };
  });
}

/** How many reports the audit log holds for a ballot: what the bulletin board shows. */
export async function reportCount(ctx: AppContext, ballotId: string): Promise<number> {
  return (await audit.listEntries(ctx.db, PROBLEM_REPORTED, ballotId)).length;
}

/**
 * A ballot's reports for its auditors and organisers, each with its log entry; and the log
 * entries whose report is no longer kept, or whose text no longer matches (a report the
 * office made disappear).
 */
export async function listProblemReports(ctx: AppContext, p: Principal, ballotId: string) {
  requireBallotVisible(p, ballotId);
  const b = await ballots.findBallot(ctx.db, p.organisationId, ballotId);
  if (!b) throw notFound('ballot');
  const kept = await reports.listReports(ctx.db, b.id);
  const entries = await audit.listEntries(ctx.db, PROBLEM_REPORTED, b.id);
  const entryOf = new Map(entries.map((e) => [String(e.details.report), e]));
  const shown = kept.map((r) => {
    const e = entryOf.get(r.id);
    const intact = e !== undefined && e.details.textHash === r.textHash && sha256(r.text) === r.textHash;
    return { ...r, logEntry: e?.position ?? null, intact };
  });
  const keptIds = new Set(kept.map((r) => r.id));
  const missing = entries.filter((e) => !keptIds.has(String(e.details.report))).map((e) => e.position);
  return { reports: shown, logged: entries.length, missingFromStore: missing };
}

import * as data from '../data/proposals';
import type { ProposalRow } from '../data/proposals';
import type { Queryable } from '../db/database';
import type { Question } from '@omov/core/domain/ballot';
import {
  type QualifiedSupport,
  type RecordAmendment,
  type RecordProposal,
  type RecordProposalCore,
  type RecordStatement,
  textHashOf,
} from '@omov/core/record/proposals';
import { caseAgainstOf, statementsOf, wordingHash } from './proposals';

/**
 * The election record's `proposals` section (docs/election-record.md): each member proposal
 * on the ballot as the server holds it, for `omov verify` to hold against the log (V22).
 * Read after the ballot closed, when nothing in it can change any more: the wording and the
 * support kept at qualifying are fixed by the table's triggers, the statements at opening.
 */
export async function recordProposals(
  db: Queryable,
  ballotId: string,
  questions: Question[],
): Promise<RecordProposal[]> {
  const scheduled = await data.listScheduledOn(db, ballotId);
  if (scheduled.length === 0) return [];
  const statements = await statementsOf(db, ballotId, questions);
  const out: Array<RecordProposal & { position: number }> = [];
  for (const p of scheduled) {
    // The question it became: its title and text, word for word (as statementsOf finds it).
    const q = questions.find((x) => x.title === p.title && x.description === p.text);
    const amendments = (await data.listAmendments(db, p.id)).filter(
      (a) => a.status === 'scheduled' && a.ballotId === ballotId,
    );
    const { qualified: against } = await caseAgainstOf(db, p);
    const rows = [p, ...amendments, ...(against ? [against] : [])];
    const support = await data.qualifiedSupportOf(
      db,
      rows.map((r) => r.id),
    );
    const core = async (r: ProposalRow): Promise<RecordProposalCore> => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      text: r.text,
      options: r.options,
      wordingHash: wordingHash(r),
      rules: r.rulesId,
      needs: {
        supporters: r.supportersNeeded,
        branches: r.branchesNeeded,
        combine: (await data.findRules(db, r.rulesId))?.combine ?? 'either',
      },
      startedAt: r.startedAt!.toISOString(),
      closesAt: r.closesAt!.toISOString(),
      qualifiedAt: r.qualifiedAt!.toISOString(),
      support: (support.get(r.id) as QualifiedSupport | undefined) ?? null,
    });
    const said = q ? statements.get(q.id) : undefined;
    const statement = async (side: 'for' | 'against'): Promise<RecordStatement | null> => {
      const s = said?.[side];
      if (!s) return null;
      return {
        author: s.author,
        text: s.text,
        textHash: textHashOf(s.text),
        ...(side === 'against' && s.author === 'members' && against ? { proposal: await core(against) } : {}),
      };
    };
    const scheduleBy = p.scheduleBy?.toISOString() ?? null;
    const scheduledAt = p.scheduledAt!.toISOString();
    out.push({
      ...(await core(p)),
      kind: p.kind as 'motion' | 'question',
      questionId: q?.id ?? '',
      scheduleBy,
      scheduledAt,
      late: p.scheduleBy !== null && p.scheduledAt!.getTime() > p.scheduleBy.getTime(),
      amendmentsCloseAt: p.amendmentsCloseAt?.toISOString() ?? null,
      amendments: await Promise.all(
        amendments.map(async (a): Promise<RecordAmendment> => ({
          ...(await core(a)),
          kind: 'amendment',
          tabledBy: a.branchId ? ((await data.branchName(db, a.branchId)) ?? null) : null,
        })),
      ),
      statements: { for: await statement('for'), against: await statement('against') },
      position: q?.position ?? questions.length,
    });
  }
  // In question order; the position is the question's, not part of the section.
  return out.sort((a, b) => a.position - b.position).map(({ position: _, ...p }) => p);
}

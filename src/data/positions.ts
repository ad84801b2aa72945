import { sql } from 'kysely';
import type { Queryable } from '../db/database';

/** Branch secretaries and the positions their branch meetings adopted (db/migrations/0034_branch_positions.ts). */

export type SecretaryRow = {
  branchId: string;
  branch: string;
  name: string;
  email: string;
  namedAt: Date;
  namedBy: string;
};

/** Names (or renames) a branch's secretary with a new link: the old link stops working. */
export async function upsertSecretary(
  db: Queryable,
  s: { organisationId: string; branchId: string; name: string; email: string; tokenHash: Buffer; namedBy: string },
): Promise<void> {
  await sql`
    insert into branch_secretaries (branch_id, organisation_id, name, email, token_hash, named_by)
    values (${s.branchId}, ${s.organisationId}, ${s.name}, ${s.email}, ${s.tokenHash}, ${s.namedBy})
    on conflict (branch_id) do update set name = excluded.name, email = excluded.email,
      token_hash = excluded.token_hash, named_by = excluded.named_by, named_at = now()`.execute(db);
}

export async function listSecretaries(db: Queryable, organisationId: string): Promise<SecretaryRow[]> {
  return db
    .selectFrom('branch_secretaries')
    .innerJoin('branches', 'branches.id', 'branch_secretaries.branch_id')
    .select([
      'branch_secretaries.branch_id as branchId',
      'branches.name as branch',
      'branch_secretaries.name',
      'branch_secretaries.email',
      'branch_secretaries.named_at as namedAt',
      'branch_secretaries.named_by as namedBy',
    ])
    .where('branch_secretaries.organisation_id', '=', organisationId)
    .orderBy('branches.name')
    .execute();
}

/** Withdraws a branch's secretary and their link; false when the branch has none. */
export async function deleteSecretary(db: Queryable, organisationId: string, branchId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('branch_secretaries')
    .where('organisation_id', '=', organisationId)
    .where('branch_id', '=', branchId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export type LinkSecretary = SecretaryRow & { organisationId: string; organisationName: string };

/** The secretary a link belongs to. */
export async function findSecretaryByLink(db: Queryable, tokenHash: Buffer): Promise<LinkSecretary | undefined> {
  return db
    .selectFrom('branch_secretaries')
    .innerJoin('branches', 'branches.id', 'branch_secretaries.branch_id')
    .innerJoin('organisations', 'organisations.id', 'branch_secretaries.organisation_id')
    .select([
      'branch_secretaries.branch_id as branchId',
      'branches.name as branch',
      'branch_secretaries.name',
      'branch_secretaries.email',
      'branch_secretaries.named_at as namedAt',
      'branch_secretaries.named_by as namedBy',
      'branch_secretaries.organisation_id as organisationId',
      'organisations.name as organisationName',
    ])
    .where('branch_secretaries.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export type PositionRecord = {
  questionId: string;
  branchId: string;
  branch: string;
  /** The option's label; null for no position. */
  position: string | null;
  attendance: number;
  recordedAt: Date;
};

/** Every position recorded on a ballot's questions (any branch, or one). */
export async function listPositions(db: Queryable, ballotId: string, branchId?: string): Promise<PositionRecord[]> {
  let q = db
    .selectFrom('branch_positions as p')
    .innerJoin('questions as q', 'q.id', 'p.question_id')
    .innerJoin('branches as b', 'b.id', 'p.branch_id')
    .leftJoin('options as o', 'o.id', 'p.option_id')
    .select([
      'p.question_id as questionId',
      'p.branch_id as branchId',
      'b.name as branch',
      'o.label as position',
      'p.attendance',
      'p.recorded_at as recordedAt',
    ])
    .where('q.ballot_id', '=', ballotId);
  if (branchId) q = q.where('p.branch_id', '=', branchId);
  return q.orderBy('q.position').orderBy('b.name').execute();
}

/** Records (or replaces) a branch's position on a question; the table's trigger refuses it once the ballot is out of draft. */
export async function upsertPosition(
  db: Queryable,
  p: { questionId: string; branchId: string; optionId: string | null; attendance: number },
): Promise<void> {
  await sql`
    insert into branch_positions (question_id, branch_id, option_id, attendance)
    values (${p.questionId}, ${p.branchId}, ${p.optionId}, ${p.attendance})
    on conflict (question_id, branch_id) do update set option_id = excluded.option_id,
      attendance = excluded.attendance, recorded_at = now()`.execute(db);
}

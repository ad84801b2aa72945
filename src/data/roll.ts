import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database';
import type { Eligibility } from '@omov/core/domain/eligibility';

/** The member roll: branches and members of an organisation. */

export type MemberRow = {
  id: string;
  branchId: string;
  branch: string;
  email: string;
  name: string;
  memberNumber: string | null;
  weight: string;
  joinedOn: string | null;
};

const memberColumns = [
  'members.id',
  'members.branch_id as branchId',
  'branches.name as branch',
  'members.email',
  'members.name',
  'members.member_number as memberNumber',
  'members.weight',
  'members.joined_on as joinedOn',
] as const;

export async function listCurrentMembers(db: Queryable, organisationId: string): Promise<MemberRow[]> {
  return listEligibleMembers(db, organisationId, null);
}

/**
 * Who may vote in a ballot: the current members who meet its eligibility rule (null: all
 * of them), or of one member, whether they may. The only place the rule is applied:
 * opening, counting a draft's electorate and adding a member to an open ballot ask here.
 */
export async function listEligibleMembers(
  db: Queryable,
  organisationId: string,
  rule: Eligibility | null,
  only: { memberId?: string } = {},
): Promise<MemberRow[]> {
  return eligibleQuery(db, organisationId, rule, only).orderBy('members.email').execute();
}

/**
 * The same members as listEligibleMembers, batch by batch through a cursor of the caller's
 * transaction, so that a roll of any size is read in constant memory.
 */
export async function* eligibleMembersInBatches(
  tx: Tx,
  organisationId: string,
  rule: Eligibility | null,
  batchSize: number,
): AsyncGenerator<MemberRow[]> {
  const cursor = sql.id('eligible_members');
  await sql`declare ${cursor} no scroll cursor for ${eligibleQuery(tx, organisationId, rule, {})}`.execute(tx);
  for (;;) {
    const batch = (await sql<MemberRow>`fetch ${sql.lit(batchSize)} from ${cursor}`.execute(tx)).rows;
    if (batch.length) yield batch;
    if (batch.length < batchSize) break;
  }
  await sql`close ${cursor}`.execute(tx);
}

function eligibleQuery(db: Queryable, organisationId: string, rule: Eligibility | null, only: { memberId?: string }) {
  let q = db
    .selectFrom('members')
    .innerJoin('branches', 'branches.id', 'members.branch_id')
    .select(memberColumns)
    .where('members.organisation_id', '=', organisationId)
    .where('members.removed_at', 'is', null);
  if (rule?.branches) q = q.where('branches.name', 'in', rule.branches);
  // A member without a joining date cannot be shown to have joined before it.
  if (rule?.joinedBefore) q = q.where('members.joined_on', '<', rule.joinedBefore);
  if (only.memberId) q = q.where('members.id', '=', only.memberId);
  return q;
}

export async function searchMembers(
  db: Queryable,
  organisationId: string,
  q: { search?: string; branchId?: string; limit: number; offset: number },
): Promise<MemberRow[]> {
  let query = db
    .selectFrom('members')
    .innerJoin('branches', 'branches.id', 'members.branch_id')
    .select(memberColumns)
    .where('members.organisation_id', '=', organisationId)
    .where('members.removed_at', 'is', null);
  if (q.branchId) query = query.where('members.branch_id', '=', q.branchId);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('members.email', 'ilike', like),
        eb('members.name', 'ilike', like),
        eb('members.member_number', 'ilike', like),
      ]),
    );
  }
  return query.orderBy('members.name').orderBy('members.id').limit(q.limit).offset(q.offset).execute();
}

export async function findMember(
  db: Queryable,
  organisationId: string,
  memberId: string,
): Promise<MemberRow | undefined> {
  return db
    .selectFrom('members')
    .innerJoin('branches', 'branches.id', 'members.branch_id')
    .select(memberColumns)
    .where('members.organisation_id', '=', organisationId)
    .where('members.id', '=', memberId)
    .where('members.removed_at', 'is', null)
    .executeTakeFirst();
}

export async function listBranches(db: Queryable, organisationId: string) {
  return db
    .selectFrom('branches')
    .leftJoin('members', (j) => j.onRef('members.branch_id', '=', 'branches.id').on('members.removed_at', 'is', null))
    .select(['branches.id', 'branches.name', (eb) => eb.fn.count<number>('members.id').as('members')])
    .where('branches.organisation_id', '=', organisationId)
    .groupBy(['branches.id', 'branches.name'])
    .orderBy('branches.name')
    .execute();
}

/** Returns the id of each named branch, creating those that do not exist yet. */
export async function ensureBranches(
  db: Queryable,
  organisationId: string,
  names: string[],
): Promise<Map<string, string>> {
  if (names.length) {
    await db
      .insertInto('branches')
      .values(names.map((name) => ({ organisation_id: organisationId, name })))
      .onConflict((oc) => oc.columns(['organisation_id', 'name']).doNothing())
      .execute();
  }
  const rows = await db
    .selectFrom('branches')
    .select(['id', 'name'])
    .where('organisation_id', '=', organisationId)
    .execute();
  return new Map(rows.map((r) => [r.name, r.id]));
}

export type MemberValues = {
  branchId: string;
  email: string;
  name: string;
  memberNumber: string | null;
  weight: string;
  joinedOn: string | null;
};

/** Rows per statement: each column travels as one array parameter, so a batch costs one round trip. */
const BATCH = 5000;

function columns(members: MemberValues[]) {
  return {
    branchIds: members.map((m) => m.branchId),
    emails: members.map((m) => m.email),
    names: members.map((m) => m.name),
    numbers: members.map((m) => m.memberNumber),
    weights: members.map((m) => m.weight),
    joined: members.map((m) => m.joinedOn),
  };
}

export async function insertMembers(db: Queryable, organisationId: string, members: MemberValues[]): Promise<void> {
  for (let i = 0; i < members.length; i += BATCH) {
    const c = columns(members.slice(i, i + BATCH));
    await sql`insert into members (organisation_id, branch_id, email, name, member_number, weight, joined_on)
      select ${organisationId}::uuid, * from unnest(${c.branchIds}::uuid[], ${c.emails}::text[], ${c.names}::text[],
        ${c.numbers}::text[], ${c.weights}::numeric[], ${c.joined}::date[])`.execute(db);
  }
}

export async function updateMember(db: Queryable, id: string, m: MemberValues): Promise<void> {
  await updateMembers(db, [{ id, values: m }]);
}

/** Sets every field of each member, in batches. */
export async function updateMembers(db: Queryable, rows: Array<{ id: string; values: MemberValues }>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const ids = batch.map((r) => r.id);
    const c = columns(batch.map((r) => r.values));
    await sql`update members set branch_id = u.branch_id, email = u.email, name = u.name,
        member_number = u.member_number, weight = u.weight, joined_on = u.joined_on, updated_at = now()
      from unnest(${ids}::uuid[], ${c.branchIds}::uuid[], ${c.emails}::text[], ${c.names}::text[],
        ${c.numbers}::text[], ${c.weights}::numeric[], ${c.joined}::date[])
        as u(id, branch_id, email, name, member_number, weight, joined_on)
      where members.id = u.id`.execute(db);
  }
}

export async function markMembersRemoved(db: Queryable, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await sql`update members set removed_at = now() where id = any(${ids.slice(i, i + BATCH)}::uuid[])`.execute(db);
  }
}

/** Serialises roll imports of one organisation, so two imports cannot interleave. */
export async function lockRoll(db: Queryable, organisationId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`roll:${organisationId}`}, 0))`.execute(db);
}

export async function countCurrentMembers(db: Queryable, organisationId: string): Promise<number> {
  const r = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId)
    .where('removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Moves every member (current or removed) of one branch to another; returns how many moved. */
export async function moveBranchMembers(db: Queryable, fromId: string, intoId: string): Promise<number> {
  const r = await db
    .updateTable('members')
    .set({ branch_id: intoId })
    .where('branch_id', '=', fromId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

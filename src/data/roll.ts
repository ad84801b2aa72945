import { type RawBuilder, sql } from 'kysely';
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

/** How many members listEligibleMembers would list, counted by the database. */
export async function countEligibleMembers(
  db: Queryable,
  organisationId: string,
  rule: Eligibility | null,
): Promise<number> {
  const r = await db
    .selectFrom(eligibleQuery(db, organisationId, rule, {}).as('e'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
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
  // Members are counted per branch first, then joined: one pass over the roll whatever the
  // planner believes of its size (joined row by row, a roll just imported took seconds).
  const counts = db
    .selectFrom('members')
    .select(['branch_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('organisation_id', '=', organisationId)
    .where('removed_at', 'is', null)
    .groupBy('branch_id')
    .as('c');
  return db
    .selectFrom('branches')
    .leftJoin(counts, 'c.branch_id', 'branches.id')
    .select(['branches.id', 'branches.name', sql<number>`coalesce(c.n, 0)`.as('members')])
    .where('branches.organisation_id', '=', organisationId)
    .orderBy('branches.name')
    .execute();
}

/** The organisation's branch names, members or not. */
export async function branchNames(db: Queryable, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('branches')
    .select('name')
    .where('organisation_id', '=', organisationId)
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

/**
 * Refreshes PostgreSQL's statistics of the roll after a bulk change (a first import of
 * 500,000 members): planned on the empty table's, the next import's queries ran for many seconds.
 */
export async function analyzeRoll(tx: Tx): Promise<void> {
  await sql`analyze members`.execute(tx);
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

/**
 * A roll import compared with the current roll inside PostgreSQL: the file's rows are
 * staged in a temporary table of the import's transaction (dropped at its end), matched
 * to current members there, and applied from there, so that the server never holds both
 * rolls in memory. Rows arrive as columns, each an array literal (array-literal.ts) of
 * a checked row's field (roll-file.ts), in UTF-8 bytes: pg sends a Buffer parameter as it
 * is (binary format, which for text is the text's bytes), so the server's thread never
 * holds the literal as a string.
 */
export type StagedRows = Record<'line' | 'email' | 'name' | 'branch' | 'memberNumber' | 'weight' | 'joinedOn', Buffer>;

export async function stageImport(tx: Tx): Promise<void> {
  // member_id: the current member the row updates (null: a new member); changed: which fields differ.
  await sql`create temporary table roll_import (line int not null, email text not null, name text not null,
      branch text not null, member_number text, weight numeric not null, joined_on date,
      member_id uuid, changed text[] not null default '{}') on commit drop`.execute(tx);
  // The current members the file leaves out (stagedSummary): found once, counted, listed and removed from here.
  await sql`create temporary table roll_removed (member_id uuid not null, email text not null, name text not null,
      branch text not null) on commit drop`.execute(tx);
}

/**
 * Stages a batch of the file's rows, each matched as it is written to the current member
 * with its member number (if any), with what differs from that member: the staged table is
 * written once per row, and a re-import that changes nothing writes nothing more
 * (matchStagedByEmail then looks only at the rows no number matched).
 * `keep`: optional columns the file leaves out, whose values a matched member keeps.
 */
export async function stageRows(
  tx: Tx,
  organisationId: string,
  r: StagedRows,
  keep: readonly OmittedColumn[] = [],
): Promise<void> {
  const v = keptValues('u', keep);
  await sql`insert into roll_import (line, email, name, branch, member_number, weight, joined_on, member_id, changed)
    select u.line, u.email, u.name, u.branch, ${v.memberNumber}, ${v.weight}, ${v.joinedOn}, m.id,
      case when m.id is null then '{}' else ${changedFields('u', v)} end
    from unnest(${r.line}::text::int[], ${r.email}::text::text[], ${r.name}::text::text[],
      ${r.branch}::text::text[], ${r.memberNumber}::text::text[], ${r.weight}::text::numeric[],
      ${r.joinedOn}::text::date[]) as u(line, email, name, branch, member_number, weight, joined_on)
    left join members m on m.organisation_id = ${organisationId} and m.removed_at is null
      and m.member_number = u.member_number
    left join branches b on b.id = m.branch_id`.execute(tx);
}

/** A staged row's values as they will be: a column the file leaves out keeps the matched member's (m). */
function keptValues(row: string, keep: readonly OmittedColumn[]) {
  const value = (c: OmittedColumn, column: string) => {
    const own = sql`${sql.table(row)}.${sql.id(column)}`;
    return keep.includes(c) ? sql`case when m.id is null then ${own} else m.${sql.id(column)} end` : own;
  };
  return {
    memberNumber: value('member_number', 'member_number'),
    weight: value('weight', 'weight'),
    joinedOn: value('joined', 'joined_on'),
  };
}

/** The fields of member m (branch b) that the row's values change. */
function changedFields(row: string, v: ReturnType<typeof keptValues>) {
  const r = sql.table(row);
  return sql`array_remove(array[
    case when m.email <> ${r}.email then 'email' end,
    case when m.name <> ${r}.name then 'name' end,
    case when b.name <> ${r}.branch then 'branch' end,
    case when m.member_number is distinct from ${v.memberNumber} then 'member_number' end,
    case when m.weight <> ${v.weight} then 'weight' end,
    case when m.joined_on is distinct from ${v.joinedOn} then 'joined' end], null)::text[]`;
}

/**
 * A first import's rows straight into the roll, as they arrive: with no current member to
 * compare them with, every row is a new member, so nothing is staged (the rows move once).
 * Adds their branches first. Returns how many members were added.
 */
export async function insertRows(tx: Tx, organisationId: string, r: StagedRows): Promise<number> {
  await sql`insert into branches (organisation_id, name) select distinct ${organisationId}::uuid, b
    from unnest(${r.branch}::text::text[]) as b on conflict (organisation_id, name) do nothing`.execute(tx);
  const res = await sql`insert into members (organisation_id, branch_id, email, name, member_number, weight, joined_on)
    select ${organisationId}::uuid, b.id, u.email, u.name, u.member_number, u.weight, u.joined_on
    from unnest(${r.email}::text::text[], ${r.name}::text::text[], ${r.branch}::text::text[],
      ${r.memberNumber}::text::text[], ${r.weight}::text::numeric[], ${r.joinedOn}::text::date[])
      as u(email, name, branch, member_number, weight, joined_on)
    join branches b on b.organisation_id = ${organisationId} and b.name = u.branch`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}

/** The branch names the current members use (after a first import: the file's). */
export async function currentBranchNames(tx: Tx, organisationId: string): Promise<string[]> {
  const r = await sql<{ name: string }>`select distinct b.name from members m join branches b on b.id = m.branch_id
    where m.organisation_id = ${organisationId} and m.removed_at is null order by b.name`.execute(tx);
  return r.rows.map((x) => x.name);
}

/** The first `listed` staged rows, in the file's order (a first import stages only its first batch, to list). */
export async function firstStaged(
  tx: Tx,
  listed: number,
): Promise<Array<{ line: number; email: string; name: string; branch: string }>> {
  return (
    await sql<{ line: number; email: string; name: string; branch: string }>`select line, email, name, branch
      from roll_import order by line limit ${listed}`.execute(tx)
  ).rows;
}

/**
 * Matches the staged rows that no member number matched (stageRows) to a current member by
 * email (case aside), among the members no number claimed, where the row or the member has
 * no number (two different numbers are two different members). Writes only the rows it matches.
 */
export async function matchStagedByEmail(
  tx: Tx,
  organisationId: string,
  keep: readonly OmittedColumn[] = [],
): Promise<void> {
  await sql`analyze roll_import`.execute(tx);
  const v = keptValues('r', keep);
  await sql`update roll_import r set member_id = m.id, member_number = ${v.memberNumber}, weight = ${v.weight},
      joined_on = ${v.joinedOn}, changed = ${changedFields('r', v)}
    from members m join branches b on b.id = m.branch_id
    where r.member_id is null and m.organisation_id = ${organisationId} and m.removed_at is null
      and lower(m.email) = lower(r.email) and (r.member_number is null or m.member_number is null)
      and m.id not in (select member_id from roll_import where member_id is not null)`.execute(tx);
}

/** The roll's optional columns, which a file may leave out. */
export type OmittedColumn = 'member_number' | 'weight' | 'joined';
const HOLDS_VALUE: Record<OmittedColumn, RawBuilder<unknown>> = {
  member_number: sql`m.member_number is not null`,
  weight: sql`m.weight <> 1`,
  joined: sql`m.joined_on is not null`,
};

/** How many matched members would lose a value in `column` if the file's blank replaced it. */
export async function countClearedByStaged(tx: Tx, column: OmittedColumn): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from roll_import r join members m on m.id = r.member_id
    where ${HOLDS_VALUE[column]}`.execute(tx);
  return r.rows[0]!.n;
}

/** The branch names the staged file uses. */
export async function stagedBranchNames(tx: Tx): Promise<string[]> {
  const r = await sql<{ branch: string }>`select distinct branch from roll_import order by branch`.execute(tx);
  return r.rows.map((x) => x.branch);
}

export type StagedSummary = {
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  existingBranches: number;
  listed: {
    added: Array<{ line: number; email: string; name: string; branch: string }>;
    updated: Array<{ line: number; email: string; fields: string[] }>;
    removed: Array<{ email: string; name: string; branch: string }>;
  };
};

/** What applying the staged rows would change: whole counts, and the first `listed` changes of each kind. */
export async function stagedSummary(tx: Tx, organisationId: string, listed: number): Promise<StagedSummary> {
  const counts = (
    await sql<{ rows: number; added: number; updated: number; unchanged: number }>`select count(*)::int as rows,
      count(*) filter (where member_id is null)::int as added,
      count(*) filter (where cardinality(changed) > 0)::int as updated,
      count(*) filter (where member_id is not null and cardinality(changed) = 0)::int as unchanged
    from roll_import`.execute(tx)
  ).rows[0]!;
  const removed = Number(
    (
      await sql`insert into roll_removed (member_id, email, name, branch)
        select m.id, m.email, m.name, b.name from members m join branches b on b.id = m.branch_id
        where m.organisation_id = ${organisationId} and m.removed_at is null
          and not exists (select 1 from roll_import r where r.member_id = m.id)`.execute(tx)
    ).numAffectedRows ?? 0,
  );
  const existing = (
    await sql<{ n: number }>`select count(distinct branch_id)::int as n from members
      where organisation_id = ${organisationId} and removed_at is null`.execute(tx)
  ).rows[0]!.n;
  return {
    ...counts,
    removed,
    existingBranches: existing,
    listed: {
      added: (
        await sql<{ line: number; email: string; name: string; branch: string }>`select line, email, name, branch
          from roll_import where member_id is null order by line limit ${listed}`.execute(tx)
      ).rows,
      updated: (
        await sql<{ line: number; email: string; fields: string[] }>`select line, email, changed as fields
          from roll_import where cardinality(changed) > 0 order by line limit ${listed}`.execute(tx)
      ).rows,
      removed: (
        await sql<{ email: string; name: string; branch: string }>`select email, name, branch from roll_removed
          order by email limit ${listed}`.execute(tx)
      ).rows,
    },
  };
}

/**
 * Makes the staged rows the roll: removes the members not in it (stagedSummary found them),
 * updates those that changed, adds the new ones. Rows of unchanged members are not touched.
 */
export async function applyStaged(tx: Tx, organisationId: string): Promise<void> {
  await sql`insert into branches (organisation_id, name) select distinct ${organisationId}::uuid, branch from roll_import
    where member_id is null or 'branch' = any(changed)
    on conflict (organisation_id, name) do nothing`.execute(tx);
  await sql`update members m set removed_at = now() from roll_removed x where m.id = x.member_id`.execute(tx);
  // Two members may swap emails or numbers: park the changed ones on unique placeholders
  // first, so that no intermediate state breaks a unique index.
  await sql`update members m set email = 'moving:' || m.id, member_number = null from roll_import r
    where r.member_id = m.id and cardinality(r.changed) > 0
      and (lower(m.email) <> lower(r.email) or m.member_number is distinct from r.member_number)`.execute(tx);
  await sql`update members m set branch_id = b.id, email = r.email, name = r.name, member_number = r.member_number,
      weight = r.weight, joined_on = r.joined_on, updated_at = now()
    from roll_import r join branches b on b.organisation_id = ${organisationId} and b.name = r.branch
    where r.member_id = m.id and cardinality(r.changed) > 0`.execute(tx);
  await sql`insert into members (organisation_id, branch_id, email, name, member_number, weight, joined_on)
    select ${organisationId}::uuid, b.id, r.email, r.name, r.member_number, r.weight, r.joined_on
    from roll_import r join branches b on b.organisation_id = ${organisationId} and b.name = r.branch
    where r.member_id is null`.execute(tx);
}

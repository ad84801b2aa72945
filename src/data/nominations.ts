import { sql } from 'kysely';
import type { ELECTION_RULES, ElectionGroup, NomineeStatus } from '@omov/core/domain/nominations';

type ElectionRules = (typeof ELECTION_RULES)[number];
import type { Queryable } from '../db/database';

/** Elections with nominations, their nominees and the nominations (db/migrations/0037_nominations.ts). */

export type StoredCandidate = { nomineeId: string; label: string; statement: string; groups: string[] };

export type ElectionRow = {
  id: string;
  organisationId: string;
  title: string;
  description: string;
  seats: number;
  /** The STV rules the candidates' question is counted by. */
  rules: ElectionRules;
  opensAt: Date;
  closesAt: Date;
  membersNeeded: number | null;
  branchesNeeded: number | null;
  combine: 'either' | 'both';
  k: number;
  statementMax: number;
  groups: ElectionGroup[];
  createdAt: Date;
  createdBy: string;
  orderSeed: string | null;
  /** The candidates in their drawn order, fixed when first put on a ballot. */
  candidates: StoredCandidate[] | null;
  ballotId: string | null;
  scheduledAt: Date | null;
};

const electionColumns = [
  'id',
  'organisation_id as organisationId',
  'title',
  'description',
  'seats',
  'rules',
  'opens_at as opensAt',
  'closes_at as closesAt',
  'members_needed as membersNeeded',
  'branches_needed as branchesNeeded',
  'combine',
  'k',
  'statement_max as statementMax',
  'groups',
  'created_at as createdAt',
  'created_by as createdBy',
  'order_seed as orderSeed',
  'candidates',
  'ballot_id as ballotId',
  'scheduled_at as scheduledAt',
] as const;

export async function insertElection(
  db: Queryable,
  e: Omit<ElectionRow, 'id' | 'createdAt' | 'orderSeed' | 'candidates' | 'ballotId' | 'scheduledAt'>,
): Promise<string> {
  const row = await db
    .insertInto('elections')
    .values({
      organisation_id: e.organisationId,
      title: e.title,
      description: e.description,
      seats: e.seats,
      rules: e.rules,
      opens_at: e.opensAt,
      closes_at: e.closesAt,
      members_needed: e.membersNeeded,
      branches_needed: e.branchesNeeded,
      combine: e.combine,
      k: e.k,
      statement_max: e.statementMax,
      groups: JSON.stringify(e.groups),
      created_by: e.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findElection(db: Queryable, id: string): Promise<ElectionRow | undefined> {
  return db.selectFrom('elections').select(electionColumns).where('id', '=', id).executeTakeFirst();
}

/** Locks the election's row, so that nominations, answers and scheduling of one election take turns. */
export async function lockElection(db: Queryable, id: string): Promise<ElectionRow | undefined> {
  return db.selectFrom('elections').select(electionColumns).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listElections(db: Queryable, organisationId: string): Promise<ElectionRow[]> {
  return db
    .selectFrom('elections')
    .select(electionColumns)
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** The elections whose candidates are on this ballot. */
export async function listElectionsOn(db: Queryable, ballotId: string): Promise<ElectionRow[]> {
  return db.selectFrom('elections').select(electionColumns).where('ballot_id', '=', ballotId).execute();
}

/** Puts the election on a ballot; the candidates and the seed are written the first time only (the trigger keeps them). */
export async function markScheduled(
  db: Queryable,
  id: string,
  s: { ballotId: string; orderSeed: string; candidates: StoredCandidate[] },
): Promise<void> {
  await db
    .updateTable('elections')
    .set({
      ballot_id: s.ballotId,
      scheduled_at: sql<Date>`now()`,
      order_seed: sql<string>`coalesce(order_seed, ${s.orderSeed})`,
      candidates: sql<string>`coalesce(candidates, ${JSON.stringify(s.candidates)}::jsonb)`,
    })
    .where('id', '=', id)
    .execute();
}

/** Elections whose nominations have opened and whose members have not been mailed so yet. */
export async function listOpenMailsDue(db: Queryable): Promise<string[]> {
  const rows = await db
    .selectFrom('elections')
    .select('id')
    .where('open_mailed_at', 'is', null)
    .where('opens_at', '<=', sql<Date>`now()`)
    .where('closes_at', '>', sql<Date>`now()`)
    .execute();
  return rows.map((r) => r.id);
}

/** Locks an election whose opening mail is still due; none if another process has it or it has gone. */
export async function lockOpenMailDue(db: Queryable, id: string): Promise<ElectionRow | undefined> {
  return db
    .selectFrom('elections')
    .select(electionColumns)
    .where('id', '=', id)
    .where('open_mailed_at', 'is', null)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function markOpenMailed(db: Queryable, id: string): Promise<void> {
  await db
    .updateTable('elections')
    .set({ open_mailed_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/* Nominees. */

export type NomineeRow = {
  id: string;
  electionId: string;
  memberId: string;
  branchId: string;
  branch: string;
  name: string;
  email: string;
  status: NomineeStatus;
  groups: string[];
  statement: string | null;
  answeredAt: Date | null;
  createdAt: Date;
};

const nomineeQuery = (db: Queryable) =>
  db
    .selectFrom('nominees as n')
    .innerJoin('branches as b', 'b.id', 'n.branch_id')
    .select([
      'n.id',
      'n.election_id as electionId',
      'n.member_id as memberId',
      'n.branch_id as branchId',
      'b.name as branch',
      'n.name',
      'n.email',
      'n.status',
      'n.groups',
      'n.statement',
      'n.answered_at as answeredAt',
      'n.created_at as createdAt',
    ]);

/** A new nominee, or none if the member is already one (their link is not replaced). */
export async function insertNominee(
  db: Queryable,
  n: { electionId: string; memberId: string; branchId: string; name: string; email: string; tokenHash: Buffer },
): Promise<string | undefined> {
  const row = await db
    .insertInto('nominees')
    .values({
      election_id: n.electionId,
      member_id: n.memberId,
      branch_id: n.branchId,
      name: n.name,
      email: n.email,
      token_hash: n.tokenHash,
    })
    .onConflict((c) => c.columns(['election_id', 'member_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function findNomineeOf(db: Queryable, electionId: string, memberId: string) {
  return nomineeQuery(db)
    .where('n.election_id', '=', electionId)
    .where('n.member_id', '=', memberId)
    .executeTakeFirst();
}

export async function findNominee(db: Queryable, id: string): Promise<NomineeRow | undefined> {
  return nomineeQuery(db).where('n.id', '=', id).executeTakeFirst();
}

export async function findNomineeByLink(db: Queryable, tokenHash: Buffer): Promise<NomineeRow | undefined> {
  return nomineeQuery(db).where('n.token_hash', '=', tokenHash).executeTakeFirst();
}

/** An election's nominees with their counts of nominations, oldest first. */
export async function listNominees(
  db: Queryable,
  electionId: string,
): Promise<Array<NomineeRow & { members: number; branches: number }>> {
  const rows = await nomineeQuery(db)
    .leftJoin('nominations as x', 'x.nominee_id', 'n.id')
    .select([
      sql<number>`count(*) filter (where x.kind = 'member')`.as('members'),
      sql<number>`count(*) filter (where x.kind = 'branch')`.as('branches'),
    ])
    .where('n.election_id', '=', electionId)
    .groupBy(['n.id', 'b.name'])
    .orderBy('n.created_at')
    .orderBy('n.id')
    .execute();
  return rows.map((r) => ({ ...r, members: Number(r.members), branches: Number(r.branches) }));
}

export async function answer(
  db: Queryable,
  id: string,
  a: { status: 'accepted' | 'declined'; statement: string | null; groups: string[] },
): Promise<void> {
  await db
    .updateTable('nominees')
    .set({
      status: a.status,
      statement: a.statement,
      groups: JSON.stringify(a.groups),
      answered_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** A nominee's counts of nominations: members' and branches'. */
export async function nomineeCounts(db: Queryable, nomineeId: string): Promise<{ members: number; branches: number }> {
  const row = await db
    .selectFrom('nominations')
    .select([
      sql<number>`count(*) filter (where kind = 'member')`.as('members'),
      sql<number>`count(*) filter (where kind = 'branch')`.as('branches'),
    ])
    .where('nominee_id', '=', nomineeId)
    .executeTakeFirstOrThrow();
  return { members: Number(row.members), branches: Number(row.branches) };
}

/** Notes that the nominee is mailed that they reach the threshold; false if they were already (they are mailed once). */
export async function markThresholdMailed(db: Queryable, nomineeId: string): Promise<boolean> {
  const row = await db
    .updateTable('nominees')
    .set({ threshold_mailed_at: sql<Date>`now()` })
    .where('id', '=', nomineeId)
    .where('threshold_mailed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/* Nominations: a keyed hash of the nominator, its kind and branch; nothing else. */

/** Adds a nomination; false if this nominator has nominated this nominee already. */
export async function insertNomination(
  db: Queryable,
  n: { nomineeId: string; nominator: Buffer; kind: 'member' | 'branch'; branchId: string },
): Promise<boolean> {
  const row = await db
    .insertInto('nominations')
    .values({ nominee_id: n.nomineeId, nominator: n.nominator, kind: n.kind, branch_id: n.branchId })
    .onConflict((c) => c.doNothing())
    .returning('nominee_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of these nominators have nominated (for a member's or a secretary's own page). */
export async function findNominated(db: Queryable, nominators: Buffer[]): Promise<Set<string>> {
  if (nominators.length === 0) return new Set();
  const rows = await db
    .selectFrom('nominations')
    .select(sql<string>`encode(nominator, 'hex')`.as('nominator'))
    .where('nominator', 'in', nominators)
    .execute();
  return new Set(rows.map((r) => r.nominator));
}

/** Members' nominations of a nominee per branch: every branch of the organisation, those without at 0. */
export async function membersByBranch(
  db: Queryable,
  organisationId: string,
  nomineeId: string,
): Promise<Array<{ branch: string; supporters: number }>> {
  const rows = await db
    .selectFrom('branches')
    .leftJoin('nominations', (j) =>
      j
        .onRef('nominations.branch_id', '=', 'branches.id')
        .on('nominations.nominee_id', '=', nomineeId)
        .on('nominations.kind', '=', 'member'),
    )
    .select(['branches.name as branch', (eb) => eb.fn.count<number>('nominations.nominator').as('supporters')])
    .where('branches.organisation_id', '=', organisationId)
    .groupBy('branches.name')
    .orderBy('branches.name')
    .execute();
  return rows.map((r) => ({ branch: r.branch, supporters: Number(r.supporters) }));
}

/** The branches that nominated a nominee through their secretaries (a branch's nomination is its meeting's, and public). */
export async function nominatingBranches(db: Queryable, nomineeId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('nominations')
    .innerJoin('branches', 'branches.id', 'nominations.branch_id')
    .select('branches.name')
    .where('nominations.nominee_id', '=', nomineeId)
    .where('nominations.kind', '=', 'branch')
    .orderBy('branches.name')
    .execute();
  return rows.map((r) => r.name);
}

/** The current member of an organisation with this address. */
export async function findCurrentMemberByEmail(db: Queryable, organisationId: string, email: string) {
  return db
    .selectFrom('members')
    .innerJoin('branches', 'branches.id', 'members.branch_id')
    .select(['members.id', 'members.branch_id as branchId', 'branches.name as branch', 'members.name', 'members.email'])
    .where('members.organisation_id', '=', organisationId)
    .where(sql<string>`lower(members.email)`, '=', email.toLowerCase())
    .where('members.removed_at', 'is', null)
    .executeTakeFirst();
}

import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { StaffRole } from '../db/schema';

/** Organisations, their staff (organisers and auditors, in the table "organisers"), sign-in sessions, API tokens and setup links. */

export async function insertOrganisation(db: Queryable, name: string): Promise<{ id: string; name: string }> {
  return db.insertInto('organisations').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

export async function findOrganisation(db: Queryable, id: string) {
  return db.selectFrom('organisations').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export async function insertStaff(
  db: Queryable,
  o: {
    organisationId: string;
    email: string;
    name: string;
    passwordHash: string;
    role?: StaffRole;
    ballotId?: string | null;
  },
): Promise<{ id: string }> {
  return db
    .insertInto('organisers')
    .values({
      organisation_id: o.organisationId,
      email: o.email,
      name: o.name,
      password_hash: o.passwordHash,
      role: o.role ?? 'organiser',
      ballot_id: o.ballotId ?? null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

export async function findStaffByEmail(db: Queryable, email: string) {
  return db
    .selectFrom('organisers')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function updateStaffPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('organisers').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function countStaff(db: Queryable): Promise<number> {
  const r = await db
    .selectFrom('organisers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * A one-time link. Without an organisation it creates a new one; with one, it lets the
 * invited person join it as an organiser or an auditor (of one ballot, if set).
 */
export type SetupLink = {
  organisationId: string | null;
  role: StaffRole;
  ballotId: string | null;
  email: string | null;
};

export async function insertSetupLink(
  db: Queryable,
  tokenHash: Buffer,
  link: SetupLink = { organisationId: null, role: 'organiser', ballotId: null, email: null },
): Promise<void> {
  await db
    .insertInto('setup_links')
    .values({
      token_hash: tokenHash,
      used_at: null,
      organisation_id: link.organisationId,
      role: link.role,
      ballot_id: link.ballotId,
      email: link.email,
    })
    .execute();
}

/** How long a setup or invitation link works. */
export const SETUP_LINK_DAYS = 7;

/** Marks an unused, unexpired setup link used and returns what it was for; undefined otherwise. */
export async function useSetupLink(db: Queryable, tokenHash: Buffer): Promise<SetupLink | undefined> {
  return db
    .updateTable('setup_links')
    .set({ used_at: sql`now()` })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('created_at', '>', sql<Date>`now() - make_interval(days => ${SETUP_LINK_DAYS})`)
    .returning(['organisation_id as organisationId', 'role', 'ballot_id as ballotId', 'email'])
    .executeTakeFirst();
}

export async function findUsableSetupLink(db: Queryable, tokenHash: Buffer): Promise<SetupLink | undefined> {
  return db
    .selectFrom('setup_links')
    .select(['organisation_id as organisationId', 'role', 'ballot_id as ballotId', 'email'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('created_at', '>', sql<Date>`now() - make_interval(days => ${SETUP_LINK_DAYS})`)
    .executeTakeFirst();
}

/** Invitations into an organisation not yet taken up and not expired; `id` is the hex of the link's hash (not the link). */
export async function listPendingInvitations(db: Queryable, organisationId: string) {
  const rows = await db
    .selectFrom('setup_links')
    .select(['token_hash', 'email', 'role', 'ballot_id as ballotId', 'created_at as createdAt'])
    .where('organisation_id', '=', organisationId)
    .where('used_at', 'is', null)
    .where('created_at', '>', sql<Date>`now() - make_interval(days => ${SETUP_LINK_DAYS})`)
    .orderBy('created_at')
    .execute();
  return rows.map(({ token_hash, ...r }) => ({
    ...r,
    id: token_hash.toString('hex'),
    expiresAt: new Date(r.createdAt.getTime() + SETUP_LINK_DAYS * 86_400_000),
  }));
}

/** Revokes an unused invitation of this organisation; whether there was one to revoke. */
export async function deletePendingInvitation(db: Queryable, organisationId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('setup_links')
    .where('token_hash', '=', Buffer.from(id, 'hex'))
    .where('organisation_id', '=', organisationId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Auditors of this one ballot, and invitations (used or not) to audit it: they hold on to the ballot. */
export async function countBallotStaff(db: Queryable, ballotId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select (select count(*) from organisers where ballot_id = ${ballotId})
         + (select count(*) from setup_links where ballot_id = ${ballotId}) as n`.execute(db);
  return Number(r.rows[0]!.n);
}

export async function listStaff(db: Queryable, organisationId: string) {
  return db
    .selectFrom('organisers')
    .select(['id', 'email', 'name', 'role', 'ballot_id as ballotId', 'created_at as createdAt'])
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at')
    .execute();
}

/** Auditors who should receive a ballot's box root: of the whole organisation or of that ballot. */
export async function listAuditorsOf(db: Queryable, organisationId: string, ballotId: string) {
  return db
    .selectFrom('organisers')
    .select(['id', 'email', 'name'])
    .where('organisation_id', '=', organisationId)
    .where('role', '=', 'auditor')
    .where((eb) => eb.or([eb('ballot_id', 'is', null), eb('ballot_id', '=', ballotId)]))
    .execute();
}

export async function insertSession(db: Queryable, idHash: Buffer, organiserId: string, hours: number): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: idHash,
      organiser_id: organiserId,
      expires_at: sql<Date>`now() + make_interval(hours => ${hours})`,
    })
    .execute();
}

/**
 * Who is calling: an organiser (full control of their organisation) or an auditor
 * (read-only; of the whole organisation, or of one ballot when ballotId is set).
 */
export type Principal = {
  organiserId: string;
  organisationId: string;
  email: string;
  name: string;
  role: StaffRole;
  ballotId: string | null;
};

export async function findSessionPrincipal(db: Queryable, idHash: Buffer): Promise<Principal | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('organisers', 'organisers.id', 'sessions.organiser_id')
    .select([
      'organisers.id as organiserId',
      'organisers.organisation_id as organisationId',
      'organisers.email',
      'organisers.name',
      'organisers.role',
      'organisers.ballot_id as ballotId',
    ])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export async function deleteSession(db: Queryable, idHash: Buffer): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteExpiredSessions(db: Queryable): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
}

export async function insertApiToken(db: Queryable, organiserId: string, name: string, tokenHash: Buffer) {
  return db
    .insertInto('api_tokens')
    .values({ organiser_id: organiserId, name, token_hash: tokenHash, last_used_at: null })
    .returning(['id', 'name', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function findApiTokenPrincipal(db: Queryable, tokenHash: Buffer): Promise<Principal | undefined> {
  const row = await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql`now()` })
    .where('token_hash', '=', tokenHash)
    .returning(['organiser_id'])
    .executeTakeFirst();
  if (!row) return undefined;
  return db
    .selectFrom('organisers')
    .select([
      'id as organiserId',
      'organisation_id as organisationId',
      'email',
      'name',
      'role',
      'ballot_id as ballotId',
    ])
    .where('id', '=', row.organiser_id)
    .executeTakeFirst();
}

export async function listApiTokens(db: Queryable, organiserId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('organiser_id', '=', organiserId)
    .orderBy('created_at')
    .execute();
}

export async function deleteApiToken(db: Queryable, organiserId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('api_tokens')
    .where('id', '=', id)
    .where('organiser_id', '=', organiserId)
    .executeTakeFirst();
  return r.numDeletedRows === 1n;
}

export async function insertPasswordReset(db: Queryable, tokenHash: Buffer, organiserId: string, minutes: number) {
  await db
    .insertInto('password_resets')
    .values({
      token_hash: tokenHash,
      organiser_id: organiserId,
      expires_at: sql<Date>`now() + make_interval(mins => ${minutes})`,
    })
    .execute();
}

/** Marks an unused, unexpired reset link used; the account it is for, or undefined. */
export async function usePasswordReset(
  db: Queryable,
  tokenHash: Buffer,
): Promise<{ organiserId: string; organisationId: string; email: string } | undefined> {
  return db
    .updateTable('password_resets')
    .from('organisers')
    .set({ used_at: sql`now()` })
    .whereRef('organisers.id', '=', 'password_resets.organiser_id')
    .where('password_resets.token_hash', '=', tokenHash)
    .where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', sql<Date>`now()`)
    .returning(['organisers.id as organiserId', 'organisers.organisation_id as organisationId', 'organisers.email'])
    .executeTakeFirst();
}

export async function findUsablePasswordReset(db: Queryable, tokenHash: Buffer): Promise<boolean> {
  const r = await db
    .selectFrom('password_resets')
    .select('organiser_id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return r !== undefined;
}

/** Signs an account out everywhere (after its password is reset). */
export async function deleteSessionsOf(db: Queryable, organiserId: string): Promise<void> {
  await db.deleteFrom('sessions').where('organiser_id', '=', organiserId).execute();
}

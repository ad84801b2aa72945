import type { Queryable } from '../db/database';

/** A verifiable ballot's credential authority and the public credentials they uploaded (migration 0014). */

export type CredentialAuthorityRow = {
  ballotId: string;
  electionUuid: string;
  /** The group the public credentials were checked in at their upload; null before (or uploaded before migration 0046). */
  credentialsGroup: string | null;
};

const AUTHORITY_COLUMNS = [
  'ballot_id as ballotId',
  'election_uuid as electionUuid',
  'credentials_group as credentialsGroup',
] as const;

export async function replaceCredentialAuthority(
  db: Queryable,
  ballotId: string,
  a: { tokenHash: Buffer; electionUuid: string },
): Promise<void> {
  await deleteCredentialAuthority(db, ballotId);
  await db
    .insertInto('ballot_credential_authorities')
    .values({ ballot_id: ballotId, token_hash: a.tokenHash, election_uuid: a.electionUuid })
    .execute();
}

export async function deleteCredentialAuthority(db: Queryable, ballotId: string): Promise<void> {
  await db.deleteFrom('ballot_public_credentials').where('ballot_id', '=', ballotId).execute();
  await db.deleteFrom('ballot_credential_authorities').where('ballot_id', '=', ballotId).execute();
}

export async function findCredentialAuthorityByToken(
  db: Queryable,
  tokenHash: Buffer,
): Promise<CredentialAuthorityRow | undefined> {
  return db
    .selectFrom('ballot_credential_authorities')
    .select(AUTHORITY_COLUMNS)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function findCredentialAuthority(
  db: Queryable,
  ballotId: string,
): Promise<CredentialAuthorityRow | undefined> {
  return db
    .selectFrom('ballot_credential_authorities')
    .select(AUTHORITY_COLUMNS)
    .where('ballot_id', '=', ballotId)
    .executeTakeFirst();
}

export type PublicCredentialRow = { credential: string; weight: string; branchId: string; branch: string };

/** The public credentials, with the group each was checked to be an element of. */
export async function replacePublicCredentials(
  db: Queryable,
  ballotId: string,
  group: string,
  credentials: ReadonlyArray<{ credential: string; weight: string; branchId: string }>,
): Promise<void> {
  await db.deleteFrom('ballot_public_credentials').where('ballot_id', '=', ballotId).execute();
  await db
    .updateTable('ballot_credential_authorities')
    .set({ credentials_group: group })
    .where('ballot_id', '=', ballotId)
    .execute();
  // In slices: a large roll's credentials stay under PostgreSQL's limit of parameters per statement.
  for (let i = 0; i < credentials.length; i += 5000)
    await db
      .insertInto('ballot_public_credentials')
      .values(
        credentials.slice(i, i + 5000).map((c) => ({
          ballot_id: ballotId,
          credential: c.credential,
          weight: c.weight,
          branch_id: c.branchId,
        })),
      )
      .execute();
}

/** Sorted by the credential itself: nothing in the list's order hints at whose each is. */
export async function listPublicCredentials(db: Queryable, ballotId: string): Promise<PublicCredentialRow[]> {
  return db
    .selectFrom('ballot_public_credentials')
    .innerJoin('branches', 'branches.id', 'ballot_public_credentials.branch_id')
    .select([
      'ballot_public_credentials.credential',
      'ballot_public_credentials.weight',
      'ballot_public_credentials.branch_id as branchId',
      'branches.name as branch',
    ])
    .where('ballot_public_credentials.ballot_id', '=', ballotId)
    .orderBy('ballot_public_credentials.credential')
    .execute();
}

/** Whether the credential is on the ballot's list: only such a credential may sign a ballot. */
export async function findPublicCredential(
  db: Queryable,
  ballotId: string,
  credential: string,
): Promise<{ weight: string } | undefined> {
  return db
    .selectFrom('ballot_public_credentials')
    .select('weight')
    .where('ballot_id', '=', ballotId)
    .where('credential', '=', credential)
    .executeTakeFirst();
}

import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import type { RollUploadSource } from '../db/schema';

/** Roll files kept between the roll page's preview and its apply (db/migrations/0021_roll_uploads.ts). */

export type RollUpload = { id: string; source: RollUploadSource; bytes: number };

export async function createUpload(
  db: Queryable,
  u: { sessionHash: Buffer; organisationId: string; source: RollUploadSource; minutes: number },
): Promise<string> {
  // Whoever uploads clears what has expired, so that abandoned previews do not pile up.
  await db
    .deleteFrom('roll_uploads')
    .where('expires_at', '<', sql<Date>`now()`)
    .execute();
  const r = await db
    .insertInto('roll_uploads')
    .values({
      session_hash: u.sessionHash,
      organisation_id: u.organisationId,
      source: u.source,
      expires_at: sql<Date>`now() + make_interval(mins => ${u.minutes})`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function addPart(db: Queryable, uploadId: string, seq: number, data: Uint8Array): Promise<void> {
  await db
    .insertInto('roll_upload_parts')
    .values({ upload_id: uploadId, seq, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) })
    .execute();
}

export async function completeUpload(db: Queryable, uploadId: string, bytes: number): Promise<void> {
  await db.updateTable('roll_uploads').set({ complete: true, bytes }).where('id', '=', uploadId).execute();
}

/** A complete upload of this session and organisation that has not expired. */
export async function findUpload(
  db: Queryable,
  uploadId: string,
  sessionHash: Buffer,
  organisationId: string,
): Promise<RollUpload | undefined> {
  const r = await db
    .selectFrom('roll_uploads')
    .select(['id', 'source', 'bytes'])
    .where('id', '=', uploadId)
    .where('session_hash', '=', sessionHash)
    .where('organisation_id', '=', organisationId)
    .where('complete', '=', true)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return r && { id: r.id, source: r.source, bytes: Number(r.bytes) };
}

/** The upload's bytes, part by part: one part in memory at a time. */
export async function* uploadParts(db: Queryable, uploadId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const r = await db
      .selectFrom('roll_upload_parts')
      .select('data')
      .where('upload_id', '=', uploadId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!r) return;
    yield r.data;
  }
}

export async function deleteUpload(db: Queryable, uploadId: string, sessionHash: Buffer): Promise<void> {
  await db.deleteFrom('roll_uploads').where('id', '=', uploadId).where('session_hash', '=', sessionHash).execute();
}

import * as uploads from '../data/roll-uploads';
import type { Principal } from '../data/organisations';
import type { RollUploadSource } from '../db/schema';
import { hashSecret, SECRET_PATTERN } from '../platform/secrets';
import { requireOrganiser } from './access';
import type { AppContext } from './context';
import { ServiceError } from './errors';

/**
 * A roll file uploaded on the roll page is kept in PostgreSQL between the preview and the
 * apply, so that the preview page refers to it by an id in its form instead of carrying
 * the file, and the apply reads it again from there. It belongs to the organiser's session
 * (another session, or a signed-out one, cannot use it), expires after an hour, and is
 * deleted once applied. The id travels only in form bodies, never in a URL.
 */

export type { RollUpload } from '../data/roll-uploads';

/** How long a preview may wait for its apply. */
export const UPLOAD_MINUTES = 60;
/** Bytes per stored part: the upload is written, and read back, one part at a time. */
const PART_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sessionHash(sessionId: string | undefined): Buffer {
  if (!sessionId || !SECRET_PATTERN.test(sessionId))
    throw new ServiceError('forbidden', 'uploads on the roll page belong to a signed-in session');
  return hashSecret(sessionId);
}

/**
 * Stores the bytes as they arrive; undefined when there are none (an empty file input).
 * A failure on the way (the upload cut off, too large) leaves nothing behind.
 */
export async function stageUpload(
  ctx: AppContext,
  p: Principal,
  sessionId: string | undefined,
  source: RollUploadSource,
  bytes: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<uploads.RollUpload | undefined> {
  requireOrganiser(p);
  const hash = sessionHash(sessionId);
  let id: string | undefined;
  let seq = 0;
  let total = 0;
  let part: Uint8Array[] = [];
  let partBytes = 0;
  const flush = async () => {
    id ??= await uploads.createUpload(ctx.db, {
      sessionHash: hash,
      organisationId: p.organisationId,
      source,
      minutes: UPLOAD_MINUTES,
    });
    await uploads.addPart(ctx.db, id, seq++, part.length === 1 ? part[0]! : Buffer.concat(part));
    part = [];
    partBytes = 0;
  };
  try {
    for await (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) {
      if (!chunk.length) continue;
      part.push(chunk);
      partBytes += chunk.length;
      total += chunk.length;
      if (partBytes >= PART_BYTES) await flush();
    }
    if (partBytes) await flush();
    if (!id) return undefined;
    await uploads.completeUpload(ctx.db, id, total);
    return { id, source, bytes: total };
  } catch (e) {
    if (id) await uploads.deleteUpload(ctx.db, id, hash).catch(() => undefined);
    throw e;
  }
}

/** The session's upload with this id, if it is still kept; its bytes are read from PostgreSQL part by part. */
export async function findUpload(
  ctx: AppContext,
  p: Principal,
  sessionId: string | undefined,
  uploadId: string,
): Promise<(uploads.RollUpload & { bytesRead: () => AsyncIterable<Uint8Array> }) | undefined> {
  requireOrganiser(p);
  if (!UUID.test(uploadId)) return undefined;
  const u = await uploads.findUpload(ctx.db, uploadId, sessionHash(sessionId), p.organisationId);
  return u && { ...u, bytesRead: () => uploads.uploadParts(ctx.db, u.id) };
}

/** Deletes the session's upload (once applied, or found wrong). */
export async function discardUpload(
  ctx: AppContext,
  p: Principal,
  sessionId: string | undefined,
  uploadId: string,
): Promise<void> {
  requireOrganiser(p);
  if (UUID.test(uploadId)) await uploads.deleteUpload(ctx.db, uploadId, sessionHash(sessionId));
}

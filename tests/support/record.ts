import type { Db } from '../../src/db/database';
import { ballotRecordById } from '../../src/services/record';

/** A ballot's election record as `omov export` writes it, the chunks joined. */
export async function exportedRecord(db: Db, ballotId: string): Promise<string> {
  const chunks: string[] = [];
  await ballotRecordById(db, ballotId, { start: () => undefined, write: async (c) => void chunks.push(c) });
  return chunks.join('');
}
